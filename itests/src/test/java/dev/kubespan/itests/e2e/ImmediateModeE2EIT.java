package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Immediate mode: edits of etc/kubespan.yaml on a running node take effect without a restart
 * (MTU, allowDownPeerBypass, endpoint filters, the last one as seen by a peer); a broken edit
 * changes nothing and {@code kubespan:config-status} names the field.
 */
public class ImmediateModeE2EIT {
    static final String AGENT = Mesh.agentConfig("3s", "4m35s", "15s");
    /**
     * node3 advertises no endpoint and dials none of its peers' (its filters match nothing they
     * have), so it never comes up: a peer that is not up, for the bypass setting to act on.
     */
    static final String UNREACHABLE = Mesh.kubeSpanConfig("filters:", "  endpoints: [\"192.0.2.0/24\"]",
            "  peerEndpoints: [\"192.0.2.0/24\"]");
    /**
     * node1 starts advertising only its IPv4 endpoint; the edit adds its IPv6 one. (A removed
     * endpoint would not show: the discovery protocol merges endpoints into the affiliate and
     * never replaces them, so a dropped one stays until its TTL runs out, as with Talos.)
     */
    static final String IPV4_ONLY = "  endpoints: [\"10.99.0.0/24\"]";
    static final String BOTH = "  endpoints: [\"10.99.0.0/24\", \"fd99::/64\"]";
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("immediate");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void editsApplyWhileRunningAndABrokenEditChangesNothing() throws Exception {
        lab.config("node1", Mesh.kubeSpanConfig("filters:", IPV4_ONLY), AGENT);
        lab.config("node2", Mesh.kubeSpanConfig(), AGENT);
        lab.config("node3", UNREACHABLE, AGENT);
        lab.start("node1", 1);
        lab.start("node2", 2);
        lab.start("node3", 3);
        Mesh.awaitFullMesh(lab, List.of("node1", "node2"), Duration.ofMinutes(2));
        Mesh.await("node1 has a peer spec for node3, which is not up", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(lab.peerSpecs("node1").containsKey("node3"), lab.peerSpecs("node1").keySet()));
        assertNotEquals("up", lab.peerStates("node1").get("node3"));
        long agentPid = lab.agentPid("node1");
        long wgPid = lab.wireguardPid("node1");
        assertEquals(1420, linkMtu());
        assertTrue(viaKubespan("10.99.0.3"));
        assertEquals(List.of("10.99.0.1:51820"), endpointsOfNode1SeenByNode2());

        // MTU: the link and every route of table 180 follow.
        lab.editConfig("node1", Mesh.kubeSpanConfig("mtu: 1380", "filters:", IPV4_ONLY), AGENT);
        Mesh.await("node1's link and table-180 routes have MTU 1380", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(linkMtu() == 1380 && routeMtus().equals(List.of(1380)),
                        "link " + linkMtu() + ", routes " + routeMtus()));
        assertEquals(1380, ((Number) lab.spec("node1", "links").get("mtu")).intValue());

        // Bypass: only up peers stay routed into the tunnel.
        lab.editConfig("node1", Mesh.kubeSpanConfig("mtu: 1380", "allowDownPeerBypass: true", "filters:", IPV4_ONLY),
                AGENT);
        Mesh.await("forceRouting off in node1's KubeSpanConfig", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(Boolean.FALSE.equals(lab.spec("node1", "ksc").get("forceRouting")),
                        lab.spec("node1", "ksc").get("forceRouting")));
        Mesh.await("node3 (not up) is no longer routed into the tunnel", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(!viaKubespan("10.99.0.3") && !viaKubespan("fd99::3"), route("10.99.0.3")));
        assertTrue("node2 (up) is still routed into the tunnel", viaKubespan("10.99.0.2"));
        assertTrue(route("10.99.0.3"), route("10.99.0.3").contains("dev eth0"));

        // Endpoint filter: what node1 advertises changes, as node2 sees it.
        lab.editConfig("node1", Mesh.kubeSpanConfig("mtu: 1380", "allowDownPeerBypass: true", "filters:", BOTH),
                AGENT);
        List<String> both = List.of("10.99.0.1:51820", "[fd99::1]:51820");
        Mesh.await("node2 sees node1's IPv6 endpoint too", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(endpointsOfNode1SeenByNode2().equals(both), endpointsOfNode1SeenByNode2()));
        Mesh.awaitFullMesh(lab, List.of("node1", "node2"), Duration.ofSeconds(60));

        // A broken edit: rejected, nothing changes.
        Map<String, Long> versions = versions();
        Object lastOk = lab.shell("node1", "kubespan:config-status");
        lab.editConfig("node1", Mesh.kubeSpanConfig("mtu: 1000", "allowDownPeerBypass: true", "filters:", BOTH),
                AGENT);
        Mesh.await("config-status reports the rejected MTU", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(lab.shell("node1", "kubespan:config-status").contains("KubeSpanConfig.mtu"),
                        lab.shell("node1", "kubespan:config-status")));
        String status = lab.shell("node1", "kubespan:config-status");
        assertTrue(status, status.contains("1000"));
        Thread.sleep(Duration.ofSeconds(7).toMillis()); // two reconcile intervals for anything to move
        assertEquals("versions after the broken edit (was: " + lastOk + ")", versions, versions());
        assertEquals(1380, linkMtu());
        assertEquals(List.of(1380), routeMtus());
        assertEquals(both, endpointsOfNode1SeenByNode2());
        assertEquals("no restart", agentPid, lab.agentPid("node1"));
        assertEquals("same wireguard-go", wgPid, lab.wireguardPid("node1"));
        Mesh.awaitFullMesh(lab, List.of("node1", "node2"), Duration.ofSeconds(10));
    }

    private int linkMtu() {
        String out = lab.inNode("node1", Duration.ofSeconds(10), "ip", "-o", "link", "show", "kubespan").output();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" mtu (\\d+)").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The distinct MTUs of node1's table-180 routes, both families. */
    private List<Integer> routeMtus() {
        String out = lab.inNode("node1", Duration.ofSeconds(10), "sh", "-c",
                "ip -4 route show table 180; ip -6 route show table 180").output();
        return out.lines().filter(l -> !l.isBlank()).map(l -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(" mtu (\\d+)").matcher(l);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }).distinct().sorted().toList();
    }

    private String route(String address) {
        return lab.inNode("node1", Duration.ofSeconds(10), "ip", "route", "get", address).output();
    }

    private boolean viaKubespan(String address) {
        return route(address).contains("dev kubespan");
    }

    @SuppressWarnings("unchecked")
    private List<String> endpointsOfNode1SeenByNode2() {
        Map<String, Object> spec = lab.peerSpecs("node2").get("node1");
        return spec == null ? List.of() : (List<String>) MeshLab.spec(spec).get("endpoints");
    }

    /** Versions of what the config feeds: node1's config, peer specs, link status; node2's spec of node1. */
    private Map<String, Long> versions() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String type : List.of("ksc", "ksps", "links", "discoveryconfig")) {
            for (Map<String, Object> r : lab.resources("node1", type)) {
                Map<String, Object> md = MeshLab.metadata(r);
                out.put("node1 " + type + " " + md.get("id"), ((Number) md.get("version")).longValue());
            }
        }
        Map<String, Object> md = MeshLab.metadata(lab.peerSpecs("node2").get("node1"));
        out.put("node2 ksps node1", ((Number) md.get("version")).longValue());
        return out;
    }
}
