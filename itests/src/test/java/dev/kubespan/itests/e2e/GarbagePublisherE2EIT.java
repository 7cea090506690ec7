package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Bad input from the network: a client that knows the cluster ID but not its secret publishes
 * garbage affiliates and endpoints (wrong key, truncated and random blobs, odd IDs, random
 * endpoints attached to the real nodes). The mesh is not disturbed: the same peers with the same
 * specs, all up, traffic flowing, the agents alive and logging what they dropped.
 */
public class GarbagePublisherE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("garbage");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void garbageFromTheNetworkDoesNotDisturbTheMesh() throws Exception {
        String agent = Mesh.agentConfig("5s", "4m35s", "15s");
        for (int i = 0; i < NODES.size(); i++) {
            lab.config(NODES.get(i), Mesh.kubeSpanConfig(), agent);
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        Map<String, Object> before = specsAndMembers();
        Map<String, Long> pids = new TreeMap<>();
        List<String> nodeIds = new ArrayList<>();
        for (String n : NODES) {
            pids.put(n, lab.agentPid(n));
            nodeIds.add(lab.identity(n).nodeId());
        }

        Path testClasses = Path.of(RoguePublisher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dist = Path.of(System.getProperty("kubespan.itest.dist"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "ks-disc",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                dist.resolve("lib/discovery") + "/*:" + testClasses, RoguePublisher.class.getName(), "10.99.0.254:3000",
                lab.clusterId()));
        cmd.addAll(nodeIds);
        MeshLab.Result rogue = MeshLab.exec(cmd, Duration.ofMinutes(1));
        assertEquals("the rogue client ran:\n" + rogue.output(), 0, rogue.exit());
        assertTrue("the server took garbage:\n" + rogue.output(), rogue.output().contains("ok      rogue-wrong-key"));

        // Every agent saw the garbage (and said so) ...
        for (String n : NODES) {
            Path log = lab.home(n).resolve("agent.log");
            Mesh.await(n + " logs the dropped affiliates", Duration.ofSeconds(60), () -> {
                String text = read(log);
                return Mesh.Seen.of(text.contains("dropped affiliate rogue-wrong-key")
                        && text.contains("dropped affiliate rogue-truncated")
                        && text.contains("dropped affiliate rogue-random"), "no drop lines yet");
            });
            String text = read(log);
            for (String id : nodeIds) {
                if (!id.equals(lab.identity(n).nodeId())) {
                    assertTrue(n + " logs the garbage endpoints of " + id, text.contains("affiliate " + id + ": endpoint"));
                }
            }
        }
        // ... and two reconcile intervals later nothing else changed.
        Thread.sleep(Duration.ofSeconds(10).toMillis());
        assertEquals("peer specs and members after the garbage", before, specsAndMembers());
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(10));
        Mesh.assertPings(lab, NODES, NODES);
        for (String n : NODES) {
            assertEquals(n + " agent still the same process", pids.get(n), (Long) lab.agentPid(n));
            assertTrue(n + " agent alive", ProcessHandle.of(pids.get(n)).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(n + " registry", "connected", lab.registryState(n));
        }
        Figures.record("rogue publications dropped, mesh undisturbed", rogue.output().lines()
                .filter(l -> l.startsWith("ok")).count() + " accepted by the server, "
                + rogue.output().lines().filter(l -> l.startsWith("refused")).count() + " refused by it");
    }

    /** Each node's peer specs (id, version, spec) and members: must not move under garbage. */
    private Map<String, Object> specsAndMembers() {
        Map<String, Object> out = new TreeMap<>();
        for (String n : NODES) {
            for (Map<String, Object> r : lab.resources(n, "ksps")) {
                Map<String, Object> md = MeshLab.metadata(r);
                out.put(n + " ksps " + md.get("id"), md.get("version") + " " + MeshLab.spec(r));
            }
            for (Map<String, Object> r : lab.resources(n, "members")) {
                Map<String, Object> md = MeshLab.metadata(r);
                out.put(n + " member " + md.get("id"), md.get("version"));
            }
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
