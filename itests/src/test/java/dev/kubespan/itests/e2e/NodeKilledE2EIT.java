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
 * A node is killed (SIGKILL of its agent and wireguard-go): with the default intervals the others
 * see it {@code down} when it stops answering their liveness probes, long before its last
 * handshake is {@code peerDownInterval} (275 s) old; with forced routing (the default, no bypass)
 * traffic to its underlay address goes into the tunnel and is dropped there rather than sent in
 * clear; it restarts from the same home with the same node ID, key and address and is {@code up}
 * again. The same run is watched the way an operator would ({@link MeshObservers}: a real
 * Prometheus and node1's mesh page in a real Chromium), so one lab serves both.
 */
public class NodeKilledE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    /** Well under the default peerDownInterval (275 s), which alone would take longer. */
    static final Duration SEEN_DOWN_WITHIN = Duration.ofSeconds(120);
    private MeshLab lab;
    private MeshObservers observers;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("nodekilled");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        if (observers != null) {
            observers.close();
        }
        lab.close();
    }

    @Test
    public void aKilledNodeIsSeenDownItsTrafficStaysInTheTunnelAndItComesBackWithItsIdentity() throws Exception {
        lab.config("node1", Mesh.kubeSpanConfig());
        lab.config("node2", Mesh.kubeSpanConfig());
        // node3 advertises one endpoint. With two, a peer that is down moves to its next candidate
        // at once and is shown `unknown` while that candidate gets its connection timeout (Talos'
        // rotation, docs/kubespan-node.md §4.2 step 6); with one there is nothing to rotate to and the
        // status says `down`.
        lab.config("node3", Mesh.kubeSpanConfig("filters:", "  endpoints: [\"10.99.0.0/24\"]"));
        observers = new MeshObservers(lab, NODES);
        observers.configure();
        for (int i = 0; i < NODES.size(); i++) {
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        observers.start();
        observers.assertCredentialsRequired();
        observers.assertMeshUpInPrometheus();
        observers.assertPageShowsMesh();
        observers.screenshot("mesh-page.png");
        Figures.record("resident memory of an agent with metrics and web serving", lab.agentRssKib("node1") / 1024
                + " MiB");
        MeshLab.Identity before = lab.identity("node3");
        String node3Key = before.publicKey();

        long killed = System.nanoTime();
        lab.kill("node3");

        // Forced routing: node3's underlay addresses are routed into the tunnel while it is down.
        MeshLab.Result route4 = lab.inNode("node1", Duration.ofSeconds(10), "ip", "route", "get", "10.99.0.3");
        assertTrue("10.99.0.3 is routed into kubespan:\n" + route4.output(),
                route4.output().contains("dev kubespan") && route4.output().contains("table 180"));
        MeshLab.Result route6 = lab.inNode("node1", Duration.ofSeconds(10), "ip", "-6", "route", "get", "fd99::3");
        assertTrue("fd99::3 is routed into kubespan:\n" + route6.output(), route6.output().contains("dev kubespan"));
        assertNothingInClear();

        for (String watcher : List.of("node1", "node2")) {
            Mesh.awaitState(lab, watcher, "node3", "down", SEEN_DOWN_WITHIN);
            Figures.record("killed node seen down by " + watcher + " (default intervals)",
                    Figures.seconds(System.nanoTime() - killed));
        }
        observers.awaitDown("node3", List.of("node1", "node2"), Duration.ofSeconds(30));
        observers.screenshot("mesh-page-node-down.png");
        // Live peers did not flap meanwhile.
        assertEquals("up", lab.peerStates("node1").get("node2"));
        assertEquals("up", lab.peerStates("node2").get("node1"));
        Map<String, Object> down = lab.peerStatuses("node1").get("node3");
        assertEquals("10.99.0.3:51820", down.get("lastUsedEndpoint"));

        long restarted = System.nanoTime();
        lab.start("node3", 3);
        MeshLab.Identity after = lab.identity("node3");
        assertEquals("node ID after restart", before.nodeId(), after.nodeId());
        assertEquals("public key after restart", before.publicKey(), after.publicKey());
        assertEquals("KubeSpan address after restart", before.address(), after.address());
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        Figures.record("restarted node up again on both others (default intervals)",
                Figures.seconds(System.nanoTime() - restarted));
        assertEquals("node1 still knows node3 under the same key", node3Key,
                MeshLab.metadata(lab.peerSpecs("node1").get("node3")).get("id"));
        Mesh.assertPings(lab, List.of("node1", "node2"), List.of("node3"));
        Mesh.assertPings(lab, List.of("node3"), List.of("node1", "node2"));
    }

    /**
     * Pings node3's underlay addresses from node1 while capturing node1's eth0: the echo requests
     * must not appear there (they went into the tunnel, which has no session with the dead peer),
     * while WireGuard's own encrypted handshake attempts to node3 do, and an echo request to a
     * non-peer (the discovery host) does too, which proves the capture sees ICMP.
     */
    private void assertNothingInClear() throws Exception {
        try (MeshLab.Background capture = lab.background("node1", "node1-eth0-capture", "tcpdump", "-i", "eth0",
                "-n", "-l", "-p", "(icmp and icmp[icmptype] == icmp-echo) or (icmp6 and ip6[40] == 128)"
                        + " or (udp and (dst host 10.99.0.3 or dst host fd99::3))")) {
            Mesh.await("tcpdump listening on node1's eth0", Duration.ofSeconds(20),
                    () -> Mesh.Seen.of(read(capture).contains("listening on"), read(capture)));
            MeshLab.Result ping4 = lab.inNode("node1", Duration.ofSeconds(20), "ping", "-c", "3", "-W", "1", "10.99.0.3");
            MeshLab.Result ping6 = lab.inNode("node1", Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-W", "1",
                    "fd99::3");
            assertNotEquals("ping 10.99.0.3 must fail:\n" + ping4.output(), 0, ping4.exit());
            assertNotEquals("ping fd99::3 must fail:\n" + ping6.output(), 0, ping6.exit());
            MeshLab.Result control = lab.inNode("node1", Duration.ofSeconds(20), "ping", "-c", "1", "-W", "2",
                    "10.99.0.254");
            assertEquals("ping to the discovery host (not a peer):\n" + control.output(), 0, control.exit());
            Thread.sleep(1000);
            String seen = capture.interrupt();
            long clearEcho = seen.lines().filter(l -> l.contains("ICMP") && l.contains("echo request"))
                    .filter(l -> l.contains("> 10.99.0.3:") || l.contains("> fd99::3:")).count();
            long controlEcho = seen.lines().filter(l -> l.contains("> 10.99.0.254:") && l.contains("echo request"))
                    .count();
            long handshakes = seen.lines().filter(l -> l.contains("UDP") || l.contains("udp"))
                    .filter(l -> l.contains("> 10.99.0.3.51820") || l.contains("> fd99::3.51820")).count();
            Figures.record("echo requests to the killed node seen in clear on eth0", clearEcho + " (encrypted "
                    + "WireGuard packets to it: " + handshakes + ")");
            assertEquals("echo requests to node3 in clear on node1's eth0:\n" + seen, 0, clearEcho);
            assertTrue("the capture saw the echo request to the discovery host:\n" + seen, controlEcho >= 1);
            assertTrue("WireGuard tried to reach node3 (encrypted, UDP 51820):\n" + seen, handshakes >= 1);
        }
    }

    private static String read(MeshLab.Background b) {
        try {
            return b.output();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
