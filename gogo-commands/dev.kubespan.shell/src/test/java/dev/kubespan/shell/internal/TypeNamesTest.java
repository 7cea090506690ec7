package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import dev.kubespan.api.ResourceTypes;

public class TypeNamesTest {

    @Test
    public void resolvesNamesAliasesAndQualifiedNamesIgnoringCase() {
        assertSame(ResourceTypes.KUBESPAN_IDENTITY, TypeNames.resolve("ksi"));
        assertSame(ResourceTypes.KUBESPAN_IDENTITY, TypeNames.resolve("KubeSpanIdentity"));
        assertSame(ResourceTypes.KUBESPAN_IDENTITY, TypeNames.resolve("kubespanidentities.kubespan.talos.dev"));
        assertSame(ResourceTypes.KUBESPAN_PEER_SPEC, TypeNames.resolve("ksps"));
        assertSame(ResourceTypes.KUBESPAN_PEER_STATUS, TypeNames.resolve("kspst"));
        assertSame(ResourceTypes.MEMBER, TypeNames.resolve("Members"));
        assertSame(ResourceTypes.NODE_IDENTITY, TypeNames.resolve(" identity "));
        assertSame(ResourceTypes.AFFILIATE, TypeNames.resolve("affiliates"));
    }

    @Test
    public void unknownTypeListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypeNames.resolve("pods"));
        String m = e.getMessage();
        assertTrue(m, m.startsWith("unknown resource type 'pods'; known types:\n"));
        assertTrue(m, m.contains("\n  KubeSpanIdentity (kubespanidentity, kubespanidentities, ksi, ksis; "
                + "KubeSpanIdentities.kubespan.talos.dev)"));
        assertEquals(ResourceTypes.all().size() + 1, m.split("\n").length);
    }

    @Test
    public void outputFormats() {
        assertEquals(OutputFormat.YAML, OutputFormat.parse("YAML"));
        assertEquals(OutputFormat.TABLE, OutputFormat.parse(""));
        assertEquals("unknown output format 'xml'; use table, yaml or json",
                assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("xml")).getMessage());
    }
}
