package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The discovery server goes away: the mesh keeps passing traffic; the server comes back with
 * its state restored from its snapshot, the nodes reconnect by themselves, and a node started
 * after that still joins everyone.
 */
public class DiscoveryOutageE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    static final Duration OUTAGE = Duration.ofSeconds(30);
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("discoveryoutage");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void theMeshOutlivesTheDiscoveryServerAndRejoinsItWhenItIsBack() throws Exception {
        String agent = Mesh.agentConfig("5s", "4m35s", "15s");
        for (int i = 0; i < NODES.size(); i++) {
            lab.config(NODES.get(i), Mesh.kubeSpanConfig(), agent);
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        for (String n : NODES) {
            assertEquals(n + " registry", "connected", registryState(n));
        }
        // The server snapshots every 10 s (and on a clean stop); wait for one that holds all three.
        Mesh.await("a snapshot was written", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(Files.exists(lab.work().resolve("discovery/state.bin")), "no state.bin"));

        lab.stopDiscovery();
        List<MeshLab.Background> pings = new ArrayList<>();
        for (String to : List.of("node2", "node3")) {
            pings.add(lab.background("node1", "outage-ping-" + to, "ping", "-6", "-i", "0.5", "-w",
                    String.valueOf(OUTAGE.toSeconds()), lab.kubespanAddress(to)));
        }
        Mesh.await("node1 notices that the discovery server is gone", Duration.ofSeconds(25),
                () -> Mesh.Seen.of(!"connected".equals(registryState("node1")), registryState("node1")));
        for (MeshLab.Background ping : pings) {
            assertTrue(ping.process().waitFor(OUTAGE.toSeconds() + 20, java.util.concurrent.TimeUnit.SECONDS));
            String out = ping.output();
            int[] counts = pingCounts(out);
            Figures.record("ping6 loss during a " + OUTAGE.toSeconds() + " s discovery outage (" + ping.log()
                    .getFileName() + ")", (counts[0] - counts[1]) + " / " + counts[0]);
            assertTrue("pings answered during the outage:\n" + out, counts[0] >= 50 && counts[1] == counts[0]);
        }
        for (String n : NODES) {
            assertEquals(n + " keeps its peers during the outage", 2, lab.peerSpecs(n).size());
        }

        long back = System.nanoTime();
        lab.startDiscovery();
        String serverLog = Files.readString(lab.work().resolve("discovery/server.log"));
        Matcher restored = Pattern.compile("restored (\\d+) clusters, (\\d+) affiliates").matcher(serverLog);
        assertTrue("the restarted server loaded its snapshot:\n" + serverLog, restored.find());
        assertEquals("affiliates restored from the snapshot", "3", restored.group(2));
        for (String n : NODES) {
            Mesh.await(n + " reconnects to the restarted server", Duration.ofSeconds(90),
                    () -> Mesh.Seen.of("connected".equals(registryState(n)), registryState(n)));
        }
        Figures.record("nodes reconnected after the discovery server restart (all connected)",
                Figures.seconds(System.nanoTime() - back));

        lab.config("node4", Mesh.kubeSpanConfig(), agent);
        long joined = System.nanoTime();
        lab.start("node4", 4);
        List<String> all = List.of("node1", "node2", "node3", "node4");
        Mesh.awaitFullMesh(lab, all, Duration.ofMinutes(2));
        Figures.record("node started after the server restart -> full mesh of four (reconcile 5s)",
                Figures.seconds(System.nanoTime() - joined));
        Mesh.assertPings(lab, List.of("node4"), NODES);
        Mesh.assertPings(lab, NODES, List.of("node4"));
    }

    private String registryState(String node) {
        return lab.registryState(node);
    }

    /** [transmitted, received] from ping's summary. */
    static int[] pingCounts(String out) {
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no ping summary in:\n" + out);
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
