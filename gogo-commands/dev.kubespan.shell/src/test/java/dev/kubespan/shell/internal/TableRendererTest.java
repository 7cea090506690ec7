package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.test.TestStore;

public class TableRendererTest {

    @Test
    public void peerSpecTableIsAlignedWithListsAsJson() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_PEER_SPEC, List.of(), null, OutputFormat.TABLE, false));
        assertEquals(String.join("\n",
                "NAMESPACE   TYPE               ID                                             VERSION   LABEL                ENDPOINTS",
                "kubespan    KubeSpanPeerSpec   4Jws8wZyMm3M5Y0pMcXqQIvDnnVt1k+OZrjxmfr5BX0=   1         cp1                  []",
                "kubespan    KubeSpanPeerSpec   hWmpq0z0lXFXO2tRJxnJoKp1BQv3NCQk8tLqjRqpLkU=   1         worker-long-name-2   [\"172.20.0.3:51820\",\"[2001:db8::3]:51820\"]"),
                text);
    }

    @Test
    public void emptyListIsHeaderOnly() {
        assertEquals("NAMESPACE   TYPE   ID   VERSION   ENDPOINT   AFFILIATE ID",
                ResourceConverter.render(new ResourceList(ResourceTypes.KUBESPAN_ENDPOINT, List.of(), OutputFormat.TABLE, false)));
    }

    @Test
    public void cellsRenderNumbersEnumsAndKeepOneLine() {
        assertEquals("up", TableRenderer.cell(PeerState.UP));
        assertEquals("12345", TableRenderer.cell(12345L));
        assertEquals("false", TableRenderer.cell(false));
        assertEquals("", TableRenderer.cell(null));
        assertEquals("[]", TableRenderer.cell(List.of()));
        assertEquals("{\"a\":1}", TableRenderer.cell(Map.of("a", 1)));
        assertEquals("evil\\nNAMESPACE x", TableRenderer.cell("evil\nNAMESPACE\tx"));
    }

    @Test
    public void watchTableHasAnEventColumnAndWidensWhenStreaming() {
        TestStore s = Fixtures.store();
        TableRenderer t = new TableRenderer(ResourceTypes.NODE_IDENTITY, true);
        var r = s.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local").get();
        assertEquals("*   NAMESPACE   TYPE       ID      VERSION   ID\n+   cluster     Identity   local   1         7x3k",
                t.render(List.of(TableRenderer.row(ResourceTypes.NODE_IDENTITY, r, "+"))));
        assertEquals("*   cluster     Identity   a-much-longer-id   1         7x3k",
                t.streamLine(List.of("*", "cluster", "Identity", "a-much-longer-id", "1", "7x3k")));
        assertEquals("-   cluster     Identity   local              1         7x3k",
                t.streamLine(TableRenderer.row(ResourceTypes.NODE_IDENTITY, r, "-")));
    }
}
