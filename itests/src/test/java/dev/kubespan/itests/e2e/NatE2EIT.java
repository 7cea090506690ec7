package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

/**
 * Edge to edge through NAT, in the NAT lab of scripts/lib/mesh.sh: node1 public on the simulated
 * internet, node2 and node3 each behind a Linux router of its own (iptables), coturn as STUN server
 * and TURN relay, real agents and wireguard-go. Each scenario prints its FIGURE.
 *
 * <ul>
 * <li>home routers (port-preserving MASQUERADE, unsolicited packets dropped): full mesh;</li>
 * <li>collision-prone routers (packets to the router itself accepted, so an early packet of the
 * other edge blocks the port-preserving mapping): full mesh, the edges direct;</li>
 * <li>symmetric NAT on both edges: full mesh, the edge pair through coturn, the shell saying
 * {@code relayed}; garbage at the relay proxy dropped; the relay's and the direct path's throughput
 * (iperf3); then both routers relaxed to plain MASQUERADE with their conntrack kept: back to
 * direct, with the pings lost across the switch counted;</li>
 * <li>a relay that refuses allocations, a dead relay, and wrong credentials: a clear error in
 * {@code kubespan:get relay}, the direct paths unaffected; the relay back: allocated again; two
 * relay servers, the first without a host: failover to the second, the first listed with its
 * error.</li>
 * </ul>
 */
public class NatE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    private MeshLab lab;

    @After
    public void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The lab with both edges behind {@code flavour} routers; returns nanoTime of the last agent's start. */
    private long startLab(String name, String flavour, String... relayOptions) throws Exception {
        lab = new MeshLab(name);
        lab.natUp();
        lab.startDiscovery();
        lab.startRelay(relayOptions);
        String nat = lab.natConfig();
        for (String n : NODES) {
            lab.extraConfig(n, "---\n" + nat);
        }
        lab.edge("node2", 2, flavour);
        lab.edge("node3", 3, flavour);
        for (int i = 0; i < NODES.size(); i++) {
            lab.start(NODES.get(i), i + 1);
        }
        return System.nanoTime();
    }

    /** The PATH column of {@code kubespan:peerstatuses}, by peer label. */
    private Map<String, String> paths(String node) {
        Map<String, String> out = new java.util.TreeMap<>();
        lab.peerStatuses(node).forEach((label, spec) -> out.put(label, spec.get("path") + " " + spec.get("relayedVia")));
        return out;
    }

    @Test
    public void homeRoutersOnBothEdges() throws Exception {
        long last = startLab("nat-home", "home");
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(60));
        Figures.record("NAT home routers: full mesh of 3 after the last agent start", Figures.seconds(System.nanoTime() - last));
        Mesh.assertPings(lab, NODES, NODES);
        for (String n : NODES) {
            paths(n).values().forEach(p -> assertTrue(n + ": " + paths(n), p.startsWith("direct")));
        }
        Map<String, Object> mapping = lab.spec("node2", "natmapping");
        assertEquals("node2's public mapping, from STUN at its WireGuard port", "10.99.102.1:51820", mapping.get("mappedEndpoint"));
    }

    @Test
    public void collisionProneRoutersStillGoDirect() throws Exception {
        long last = startLab("nat-hard", "hard");
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(60));
        Figures.record("NAT collision-prone routers: full mesh of 3 after the last agent start",
                Figures.seconds(System.nanoTime() - last));
        Mesh.await("node2 and node3 direct to each other", Duration.ofSeconds(90), () -> Mesh.Seen.of(
                paths("node2").get("node3").startsWith("direct") && paths("node3").get("node2").startsWith("direct"),
                paths("node2") + " " + paths("node3")));
        Figures.record("NAT collision-prone routers: edges direct after the last agent start",
                Figures.seconds(System.nanoTime() - last));
        Mesh.assertPings(lab, NODES, NODES);
    }

    @Test
    public void symmetricNatGoesThroughTheRelayThenDirectWhenRelaxed() throws Exception {
        long last = startLab("nat-symmetric", "symmetric");
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(60));
        Figures.record("NAT symmetric on both edges: full mesh of 3 (through coturn) after the last agent start",
                Figures.seconds(System.nanoTime() - last));
        String p2 = paths("node2").get("node3");
        String p3 = paths("node3").get("node2");
        assertTrue("edge to edge is relayed: " + p2 + " / " + p3, p2.startsWith("relayed") && p3.startsWith("relayed"));
        assertTrue(lab.shell("node2", "kubespan:peerstatuses"), lab.shell("node2", "kubespan:peerstatuses").contains("relayed via 10.99.0.253:"));
        assertTrue(paths("node2").get("node1").startsWith("direct"));
        Map<String, Object> relay = lab.spec("node2", "relay");
        assertEquals("allocated", relay.get("state"));

        // garbage at the relay's local proxy: dropped (the proxy only talks to WireGuard's port)
        for (Map<String, Object> r : lab.resources("node2", "relay")) {
            for (Object proxy : (List<?>) MeshLab.spec(r).get("proxies")) {
                String local = String.valueOf(proxy).split("=")[0];
                String port = local.substring(local.lastIndexOf(':') + 1);
                lab.inNode("node2", Duration.ofSeconds(10), "sh", "-c",
                        "head -c 3000 /dev/urandom > /dev/udp/127.0.0.1/" + port + " || true");
            }
        }
        Mesh.assertPings(lab, NODES, NODES);

        double relayed = throughput("node2", "node3");
        double direct = throughput("node2", "node1");
        Figures.record("NAT throughput: relayed edge-edge / direct edge-public (iperf3 TCP, 5 s each)",
                String.format("%.0f / %.0f Mbit/s = %.2f", relayed, direct, relayed / direct));
        Mesh.assertPings(lab, NODES, NODES);

        relaxedNatMovesTheRelayedPairBackToDirect();
    }

    /**
     * Both routers' rules change from {@code MASQUERADE --random-fully} to plain MASQUERADE while the
     * edge pair is relayed, as when an operator reconfigures a router: the routers keep their
     * conntrack entries (nothing is flushed), so the flows that exist keep their random ports and
     * new flows of the WireGuard port get the port of the newest of them, neither 51820 nor what was
     * published before. The pair must find that and go direct by itself, with ping6 at 5/s running
     * across the switch.
     */
    private void relaxedNatMovesTheRelayedPairBackToDirect() throws Exception {
        MeshLab.Background ping = lab.background("node2", "nat-switch-ping", "ping", "-6", "-i", "0.2",
                lab.kubespanAddress("node3"));
        Thread.sleep(1000);
        long relaxed = System.nanoTime();
        lab.natFlavour("node2", "home");
        lab.natFlavour("node3", "home");
        Mesh.await("node2 and node3 direct after the NAT was relaxed", Duration.ofSeconds(90), () -> Mesh.Seen.of(
                paths("node2").get("node3").startsWith("direct") && paths("node3").get("node2").startsWith("direct"),
                paths("node2") + " " + paths("node3")));
        Figures.record("NAT relaxed (symmetric -> home, conntrack kept): relayed pair direct again after",
                Figures.seconds(System.nanoTime() - relaxed));
        Thread.sleep(2000);
        int[] counts = DiscoveryOutageE2EIT.pingCounts(ping.interrupt());
        Figures.record("NAT relay -> direct switch: ping6 lost at 5/s", (counts[0] - counts[1]) + " / " + counts[0]);
        assertTrue("lost " + (counts[0] - counts[1]) + " of " + counts[0], counts[0] - counts[1] <= 3);
        Mesh.assertPings(lab, NODES, NODES);
    }

    @Test
    public void relayFailuresAreClearAndDirectPathsStayUp() throws Exception {
        startLab("nat-relay-failures", "symmetric", "--no-udp-relay");
        Mesh.await("node1 up on both edges", Duration.ofSeconds(60), () -> Mesh.Seen.of(
                "up".equals(lab.peerStates("node2").get("node1")) && "up".equals(lab.peerStates("node3").get("node1")),
                lab.peerStates("node2") + " " + lab.peerStates("node3")));
        Mesh.await("a refused allocation shown", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(relayError("node2").contains("refused: 442"), relayError("node2")));
        String refused = relayError("node2");

        lab.stopRelay();
        lab.shell("node2", "kubespan:get relay"); // the agent keeps answering
        Mesh.await("a dead relay shown", Duration.ofSeconds(120), () -> Mesh.Seen.of(
                relayError("node2").contains("no answer") || relayError("node2").contains("does not listen"),
                relayError("node2")));
        String dead = relayError("node2");

        lab.startRelay();
        lab.editConfig("node3", Mesh.kubeSpanConfig(), lab.natConfig("not-the-relays-secret"));
        Mesh.await("wrong credentials shown", Duration.ofSeconds(120),
                () -> Mesh.Seen.of(relayError("node3").contains("401"), relayError("node3")));
        String wrong = relayError("node3");
        assertTrue("the secret is not shown", !lab.shell("node3", "kubespan:get natconfig -o yaml").contains("not-the-relays-secret"));
        Figures.record("NAT relay refused / dead / wrong credentials: shown as", refused + " | " + dead + " | " + wrong);
        Mesh.assertPings(lab, List.of("node2", "node3"), List.of("node1"));
        Mesh.assertPings(lab, List.of("node1"), List.of("node2", "node3"));

        // the relay back (with relaying on): node2, retrying with backoff, gets its allocation
        Mesh.await("node2 allocated again after the relay came back", Duration.ofSeconds(120),
                () -> Mesh.Seen.of("allocated".equals(relayStates("node2").get(RELAY)), relayStates("node2")));

        // two relay servers, the first one dead (no host there): node3 fails over to the second,
        // and the shell shows both, the dead one with its error
        long failover = System.nanoTime();
        lab.editConfig("node3", Mesh.kubeSpanConfig(), lab.natConfig().replace("relayServers:\n  - " + RELAY,
                "relayServers:\n  - " + NO_RELAY + "\n  - " + RELAY));
        Mesh.await("node3 allocated on the second relay server", Duration.ofSeconds(120), () -> Mesh.Seen.of(
                "allocated".equals(relayStates("node3").get(RELAY)) && relayStates("node3").containsKey(NO_RELAY),
                relayStates("node3")));
        Figures.record("NAT relay failover (first of two servers without a host): allocated on the second after",
                Figures.seconds(System.nanoTime() - failover) + " (first shown as: "
                        + relayErrors("node3").get(NO_RELAY) + ")");
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(60));
        Mesh.assertPings(lab, NODES, NODES);
    }

    static final String RELAY = "10.99.0.253:3478";
    static final String NO_RELAY = "10.99.0.252:3478";

    private Map<String, String> relayStates(String node) {
        Map<String, String> out = new java.util.TreeMap<>();
        lab.resources(node, "relay").forEach(r -> out.put(String.valueOf(MeshLab.metadata(r).get("id")),
                String.valueOf(MeshLab.spec(r).get("state"))));
        return out;
    }

    private Map<String, String> relayErrors(String node) {
        Map<String, String> out = new java.util.TreeMap<>();
        lab.resources(node, "relay").forEach(r -> out.put(String.valueOf(MeshLab.metadata(r).get("id")),
                String.valueOf(MeshLab.spec(r).get("error"))));
        return out;
    }

    private String relayError(String node) {
        return relayErrors(node).getOrDefault(RELAY, "(no allocation)");
    }

    /** iperf3 (TCP, 5 s) from one node to another over their KubeSpan addresses, in Mbit/s. */
    private double throughput(String from, String to) throws Exception {
        MeshLab.Background server = lab.background(to, "iperf3-server-" + to, "iperf3", "-s", "-1");
        try {
            Thread.sleep(500);
            MeshLab.Result r = lab.inNode(from, Duration.ofSeconds(30), "iperf3", "-6", "-c", lab.kubespanAddress(to), "-t",
                    "5", "-f", "m");
            assertEquals(r.output(), 0, r.exit());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+) Mbits/sec\\s+receiver").matcher(r.output());
            assertTrue(r.output(), m.find());
            return Double.parseDouble(m.group(1));
        } finally {
            server.close();
        }
    }
}
