package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The command methods called directly, against the map-backed store. */
public class ResourceCommandsTest {
    private final WatchCountingStore store = Fixtures.store();
    private final ResourceCommands commands = new ResourceCommands(store);

    @Test
    public void getListsAllNamespacesByDefault() {
        String t = commands.get("table", "", false, false, "affiliate");
        assertEquals(String.join("\n",
                "NAMESPACE     TYPE        ID              VERSION   HOSTNAME    MACHINE TYPE   ADDRESSES",
                "cluster       Affiliate   nodeA           1         a.example   controlplane   [\"10.0.0.1\"]",
                "cluster-raw   Affiliate   service/nodeA   1         a.example   controlplane   [\"10.0.0.1\"]"), t);
    }

    @Test
    public void namespaceOptionNarrows() {
        String t = commands.get("table", "cluster-raw", false, false, "as");
        assertEquals(2, t.split("\n").length);
        assertTrue(t, t.contains("service/nodeA"));
    }

    @Test
    public void getById() {
        String y = commands.get("yaml", "", false, false, "KubeSpanIdentity", "local");
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
                commands.members("table", false, false));
    }

    @Test
    public void badInputIsAnIllegalArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.get("table", "", false, false, "pods"))
                .getMessage().startsWith("unknown resource type 'pods'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.get("xml", "", false, false, "ksi"))
                .getMessage().startsWith("unknown output format 'xml'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.get("table", "", false, false))
                .getMessage().startsWith("usage: kubespan:get"));
    }

    @Test
    public void shortcuts() {
        assertTrue(commands.identities("table", false, false).startsWith("NAMESPACE   TYPE               ID      VERSION   ADDRESS"));
        assertTrue(commands.identities("json", false, true).contains(Fixtures.PRIVATE_KEY));
        assertEquals(3, commands.peerspecs("table", false, false).split("\n").length);
        assertEquals(1, commands.peerstatuses("table", false, false).split("\n").length);
        assertEquals(1, commands.endpoints("table", false, false).split("\n").length);
        String both = commands.affiliates("yaml", false, false);
        assertTrue(both, both.contains("namespace: cluster\n") && both.contains("namespace: cluster-raw\n"));
    }
}
