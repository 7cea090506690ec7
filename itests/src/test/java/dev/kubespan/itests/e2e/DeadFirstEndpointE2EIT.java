package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A peer whose first advertised endpoint is dead (issue 5): node2 advertises 10.98.0.2, an
 * address on a veth that leads nowhere, before its good 10.99.0.2. Since candidates are ranked
 * (an address on one of this node's subnets first: {@code Candidates}, issue 12), node1 never
 * tries the dead one: it comes up on 10.99.0.2 at once, where before the ranking it spent one
 * whole connection timeout (15 s) on the dead endpoint. Talos' rotation past a dead endpoint, which
 * still applies to peers that do not answer path probes, is held by the status bundle's unit tests.
 */
public class DeadFirstEndpointE2EIT {
    /** The default endpointConnectionTimeout: the agents run with product defaults. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(15);
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("deadfirst");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void aDeadFirstEndpointOffOurSubnetsIsNotTriedFirst() throws Exception {
        lab.network("node2", 2);
        for (String step : List.of("link add dead0 type veth peer name dead1", "addr add 10.98.0.2/24 dev dead0",
                "link set dead0 up", "link set dead1 up")) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", "ks-node2"));
            cmd.addAll(List.of(step.split(" ")));
            MeshLab.Result r = MeshLab.exec(cmd, Duration.ofSeconds(10));
            assertEquals(step + ": " + r.output(), 0, r.exit());
        }
        // The dead address first. node2 also dials only 10.98.0.0/16 endpoints, which node1 has
        // none of: node2 never initiates, as a node that cannot reach out, so only node1's own
        // rotation can bring the pair up (otherwise node2's handshake would let node1 learn the
        // good endpoint by roaming, and the dead one would prove nothing).
        lab.config("node2", Mesh.kubeSpanConfig("filters:", "  endpoints: [\"10.98.0.0/16\", \"10.99.0.0/16\"]",
                "  peerEndpoints: [\"10.98.0.0/16\"]"));
        lab.config("node1", Mesh.kubeSpanConfig());
        lab.start("node2", 2);
        Mesh.await("node2 advertises the dead endpoint first", Duration.ofSeconds(60), () -> {
            Object eps = lab.resources("node2", "affiliates").stream().map(MeshLab::spec)
                    .filter(s -> "node2".equals(s.get("nodename")) && s.get("kubespan") instanceof Map<?, ?>).findFirst()
                    .map(s -> ((Map<?, ?>) s.get("kubespan")).get("endpoints")).orElse(null);
            return Mesh.Seen.of(List.of("10.98.0.2:51820", "10.99.0.2:51820").equals(eps), eps);
        });

        long t0 = System.nanoTime();
        lab.start("node1", 1);
        // The watch prints the current statuses, then every change: node1's first pick (made
        // within a second or two) is the one it connects on.
        try (MeshLab.Background watch = lab.background("node1", "node1-status-watch",
                lab.home("node1").resolve("bin/kubespan").toString(), "shell", "kubespan:get", "kspst", "-w", "-o",
                "yaml")) {
            Mesh.awaitState(lab, "node1", "node2", "up", CONNECTION_TIMEOUT.multipliedBy(2).plusSeconds(30));
            long toUp = System.nanoTime() - t0;
            Figures.record("node1 started -> node2 up, first endpoint dead (default timeout "
                    + CONNECTION_TIMEOUT.toSeconds() + "s)", Figures.seconds(toUp));
            Map<String, Object> status = lab.peerStatuses("node1").get("node2");
            assertEquals("10.99.0.2:51820", status.get("lastUsedEndpoint"));
            List<String> tried = triedEndpoints(watch.output());
            assertEquals("endpoints node1 tried for node2, in order:\n" + watch.output(),
                    List.of("10.99.0.2:51820"), tried);
        }
        Mesh.awaitState(lab, "node2", "node1", "up", Duration.ofSeconds(60));

        Map<String, Map<String, Object>> first = Map.of("node1", lab.peerStatuses("node1").get("node2"),
                "node2", lab.peerStatuses("node2").get("node1"));
        Mesh.assertPings(lab, List.of("node1"), List.of("node2"));
        Mesh.assertPings(lab, List.of("node2"), List.of("node1"));
        for (String n : List.of("node1", "node2")) {
            String other = n.equals("node1") ? "node2" : "node1";
            Mesh.await(n + "'s rx/tx for " + other + " grow", Duration.ofSeconds(30), () -> {
                Map<String, Object> now = lab.peerStatuses(n).get(other);
                boolean grew = bytes(now, "receiveBytes") > bytes(first.get(n), "receiveBytes")
                        && bytes(now, "transmitBytes") > bytes(first.get(n), "transmitBytes");
                return Mesh.Seen.of(grew && "up".equals(now.get("state")), now);
            });
        }
    }

    private static long bytes(Map<String, Object> status, String key) {
        return ((Number) status.get(key)).longValue();
    }

    /** The distinct lastUsedEndpoint values of node2's status, in the order the watch showed them. */
    private static List<String> triedEndpoints(String watchOutput) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("lastUsedEndpoint: *\"?([^\"\\s]+)\"?").matcher(watchOutput);
        while (m.find()) {
            String e = m.group(1);
            if (e.startsWith("10.9") && (out.isEmpty() || !out.get(out.size() - 1).equals(e))) {
                out.add(e);
            }
        }
        return out;
    }
}
