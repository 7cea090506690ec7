package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import dev.kubespan.test.TestStore;

/** The command methods called directly, against the real store; results as the converter prints them. */
public class ResourceCommandsTest {
    private final TestStore store = Fixtures.store();
    private final ResourceCommands commands = new ResourceCommands(store);

    /** The text the shell prints for a result (the converter's), or null for none. */
    private static String shown(ResourceList result) {
        return result == null ? null : new ResourceConverter().format(result, ResourceConverter.INSPECT, null).toString();
    }

    @Test
    public void getListsAllNamespacesByDefault() {
        String t = shown(commands.get("table", "", false, false, "affiliate"));
        assertEquals(String.join("\n",
                "NAMESPACE     TYPE        ID              VERSION   HOSTNAME    MACHINE TYPE   ADDRESSES",
                "cluster       Affiliate   nodeA           1         a.example   controlplane   [\"10.0.0.1\"]",
                "cluster-raw   Affiliate   service/nodeA   1         a.example   controlplane   [\"10.0.0.1\"]"), t);
    }

    @Test
    public void namespaceOptionNarrows() {
        String t = shown(commands.get("table", "cluster-raw", false, false, "as"));
        assertEquals(2, t.split("\n").length);
        assertTrue(t, t.contains("service/nodeA"));
    }

    @Test
    public void getById() {
        String y = shown(commands.get("yaml", "", false, false, "KubeSpanIdentity", "local"));
        assertTrue(y, y.startsWith("metadata:\n    namespace: kubespan\n"));
        assertTrue(y, y.contains("privateKey: <redacted>"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.get("table", "kubespan", false, false, "ksi", "remote"));
        assertEquals("KubeSpanIdentity 'remote' not found in namespace kubespan", e.getMessage());
    }

    @Test
    public void emptyYamlPrintsNothing() {
        assertNull(commands.get("yaml", "", false, false, "members"));
        assertEquals("NAMESPACE   TYPE   ID   VERSION   HOSTNAME   MACHINE TYPE   OS   ADDRESSES",
                shown(commands._main("members")));
    }

    @Test
    public void badInputIsAnIllegalArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.get("table", "", false, false, "pods"))
                .getMessage().startsWith("unknown resource type 'pods'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.get("xml", "", false, false, "ksi"))
                .getMessage().startsWith("unknown output format 'xml'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands._main("get"))
                .getMessage().startsWith("usage: kubespan:get"));
    }

    @Test
    public void shortcuts() {
        assertTrue(shown(commands._main("identities")).startsWith("NAMESPACE   TYPE               ID      VERSION   ADDRESS"));
        assertTrue(shown(commands._main("identities", "-o", "json", "--show-secrets")).contains(Fixtures.PRIVATE_KEY));
        assertEquals(3, shown(commands._main("peerspecs")).split("\n").length);
        assertEquals(1, shown(commands._main("peerstatuses", "--output", "table")).split("\n").length);
        assertEquals(1, shown(commands._main("endpoints")).split("\n").length);
        String both = shown(commands._main("affiliates", "-o", "yaml"));
        assertTrue(both, both.contains("namespace: cluster\n") && both.contains("namespace: cluster-raw\n"));
    }
}
