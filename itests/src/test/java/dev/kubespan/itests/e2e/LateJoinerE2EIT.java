package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Three nodes are meshed; a fourth joins later and is reached by all, and reaches all. */
public class LateJoinerE2EIT {
    static final List<String> FIRST = List.of("node1", "node2", "node3");
    static final List<String> ALL = List.of("node1", "node2", "node3", "node4");
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("latejoiner");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void aFourthNodeJoinsTheRunningMesh() throws Exception {
        for (int i = 0; i < ALL.size(); i++) {
            lab.config(ALL.get(i), Mesh.kubeSpanConfig());
        }
        for (int i = 0; i < FIRST.size(); i++) {
            lab.start(FIRST.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, FIRST, Duration.ofMinutes(2));

        long t0 = System.nanoTime();
        lab.start("node4", 4);
        Mesh.awaitFullMesh(lab, ALL, Duration.ofMinutes(2));
        Figures.record("late fourth node started -> full mesh of four (default intervals)",
                Figures.seconds(System.nanoTime() - t0));
        for (String n : ALL) {
            assertEquals(n + " has a peer spec for every other node", 3, lab.peerSpecs(n).size());
            assertEquals(n + " members", 4, lab.resources(n, "members").size());
        }
        Mesh.assertPings(lab, List.of("node4"), FIRST);
        Mesh.assertPings(lab, FIRST, List.of("node4"));
    }
}
