package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Ten agents with product defaults form the full mesh and then sit idle for a minute: the
 * discovery server sees no AffiliateUpdate in that minute (each node refreshes its affiliate
 * every TTL/2 = 15 min and publishes only what changed), and no peer goes down. Every publication
 * echoes back through every node's Watch, so an agent that re-sent an unchanged affiliate would
 * show here as a steady stream.
 */
public class IdleMeshE2EIT {
    static final int NODES = 10;
    static final Duration IDLE = Duration.ofSeconds(60);
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("idle");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    private long affiliateUpdates() {
        long sum = 0;
        for (String line : lab.mesh("discovery-metrics", lab.work().toString()).split("\n")) {
            if (line.startsWith("grpc_server_handled_total{") && line.contains("grpc_method=\"AffiliateUpdate\"")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return sum;
    }

    @Test
    public void anIdleMeshOfTenSendsNoUpdates() throws Exception {
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            nodes.add("node" + i);
            lab.start("node" + i, i);
        }
        Mesh.awaitFullMesh(lab, nodes, Duration.ofMinutes(3));
        String timeline = lab.timeline(nodes);
        timeline.lines().filter(l -> l.startsWith("FIGURE ")).forEach(l -> Figures.record(
                l.substring("FIGURE ".length(), l.indexOf(':')), l.substring(l.indexOf(':') + 2)));

        // Harvested endpoints are published once the peers are up; give the last of them a moment.
        Thread.sleep(5_000);
        long before = affiliateUpdates();
        Thread.sleep(IDLE.toMillis());
        long during = affiliateUpdates() - before;
        Figures.record("AffiliateUpdates from an idle mesh of " + NODES + " in " + IDLE.toSeconds() + " s",
                during + " (all since start: " + before + ")");
        assertEquals("an idle mesh publishes nothing (the refresh is every 15 min)", 0, during);
        assertTrue("every node published itself", before >= NODES);

        for (String n : nodes) {
            String log = Files.readString(lab.home(n).resolve("agent.log"));
            assertTrue(n + " saw a peer go down in an idle mesh", !log.contains(" -> down")
                    && !log.contains("no answer to liveness probes"));
            assertEquals(n + " sees every other node up", NODES - 1,
                    lab.peerStates(n).values().stream().filter("up"::equals).count());
        }
    }
}
