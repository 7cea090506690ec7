package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Three agents form the full mesh; traffic flows on all six paths; specs and statuses are right. */
public class FullMeshE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("fullmesh");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void threeNodesFormTheFullMesh() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < NODES.size(); i++) {
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(3));
        Figures.record("three nodes started one after another -> full mesh", Figures.seconds(System.nanoTime() - t0));
        String timeline = lab.timeline(NODES);
        System.out.println(timeline);
        timeline.lines().filter(l -> l.startsWith("FIGURE ")).forEach(l -> Figures.record(
                l.substring("FIGURE ".length(), l.indexOf(':')), l.substring(l.indexOf(':') + 2)));

        for (String from : NODES) {
            for (String to : NODES) {
                if (!from.equals(to)) {
                    String addr = lab.kubespanAddress(to);
                    MeshLab.Result ping = lab.inNode(from, Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-W", "2", addr);
                    assertEquals(from + " -> " + to + " (" + addr + "):\n" + ping.output(), 0, ping.exit());
                }
            }
        }
        for (String node : NODES) {
            String specs = lab.shell(node, "kubespan:get ksps -o yaml");
            for (String other : NODES) {
                if (!other.equals(node)) {
                    String addr = lab.kubespanAddress(other);
                    assertTrue(node + " has a peer spec for " + other + ":\n" + specs, specs.contains("label: " + other));
                    assertTrue(node + "'s spec for " + other + " allows its KubeSpan address:\n" + specs,
                            specs.contains(addr + "/128"));
                }
            }
            Map<String, String> states = lab.peerStates(node);
            assertEquals(node + " statuses", 2, states.size());
            states.values().forEach(s -> assertEquals("up", s));
        }
        for (String node : NODES) {
            Figures.record("resident memory of " + node + "'s agent", lab.agentRssKib(node) / 1024 + " MiB");
        }
    }
}
