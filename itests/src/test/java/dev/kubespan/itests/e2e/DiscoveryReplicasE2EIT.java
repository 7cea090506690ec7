package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Two discovery replicas (the standalone server, {@code --state etcd}) sharing a real three-member
 * etcd on the lab's bridge, and three agents whose discovery endpoint lists both replicas:
 * node1 and node2 start on replica 1, node3 on replica 2, and they still form one mesh (what one
 * replica takes, the other's watchers get). Replica 1 is killed: its nodes move to replica 2
 * and not one ping between the nodes is lost. Then every etcd member is stopped: the replica
 * reports etcd unavailable in its metrics and log, and the mesh keeps its tunnels.
 */
public class DiscoveryReplicasE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    static final String REPLICAS = "http://10.99.0.241:3000,10.99.0.242:3000/";
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("replicas", REPLICAS);
    }

    @After
    public void tearDown() {
        lab.close();
    }

    private String registryEndpoint(String node) {
        return lab.resources(node, "registrystatus").stream()
                .filter(r -> "service/default".equals(MeshLab.metadata(r).get("id")))
                .map(r -> String.valueOf(MeshLab.spec(r).get("endpoint"))).findFirst().orElse("absent");
    }

    @Test
    public void nodesMoveToTheOtherReplicaWithoutLosingAPingAndOutliveEtcd() throws Exception {
        String etcd = lab.startEtcd(3);
        lab.startReplica(1, etcd);
        lab.startReplica(2, etcd);
        String agent = Mesh.agentConfig("5s", "4m35s", "15s");
        for (int i = 0; i < NODES.size(); i++) {
            lab.config(NODES.get(i), Mesh.kubeSpanConfig(), agent);
        }
        // node3 lists replica 2 first: the mesh can only form through the shared state.
        Path node3 = lab.work().resolve("node3.yaml");
        Files.writeString(node3, Files.readString(node3).replace(REPLICAS, "http://10.99.0.242:3000,10.99.0.241:3000/"));
        for (int i = 0; i < NODES.size(); i++) {
            lab.start(NODES.get(i), i + 1);
        }
        long formed = System.nanoTime();
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        Figures.record("three agents on two discovery replicas sharing etcd -> full mesh",
                Figures.seconds(System.nanoTime() - formed));
        for (String n : List.of("node1", "node2")) {
            assertTrue(n + " on replica 1: " + registryEndpoint(n), registryEndpoint(n).startsWith("http://10.99.0.241:3000"));
        }
        assertTrue("node3 on replica 2: " + registryEndpoint("node3"),
                registryEndpoint("node3").startsWith("http://10.99.0.242:3000"));

        List<MeshLab.Background> pings = new ArrayList<>();
        int seconds = 40;
        for (String to : List.of("node2", "node3")) {
            pings.add(lab.background("node1", "failover-ping-node1-" + to, "ping", "-6", "-i", "0.2", "-w",
                    String.valueOf(seconds), lab.kubespanAddress(to)));
        }
        pings.add(lab.background("node2", "failover-ping-node2-node3", "ping", "-6", "-i", "0.2", "-w",
                String.valueOf(seconds), lab.kubespanAddress("node3")));
        Thread.sleep(3000);
        lab.killReplica(1);
        long killed = System.nanoTime();
        for (String n : List.of("node1", "node2")) {
            Mesh.await(n + " connected to replica 2", Duration.ofSeconds(60), () -> Mesh.Seen.of(
                    "connected".equals(lab.registryState(n)) && registryEndpoint(n).startsWith("http://10.99.0.242:3000"),
                    lab.registryState(n) + " " + registryEndpoint(n)));
        }
        Figures.record("replica killed -> its nodes connected to the other replica",
                Figures.seconds(System.nanoTime() - killed));

        // etcd goes away entirely while the pings still run.
        lab.killEtcd();
        Mesh.await("replica 2 reports etcd unavailable", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(lab.replicaMetrics(2).contains("discovery_backend_available 0"), "still available"));
        String log = Files.readString(lab.work().resolve("replica2/server.log"));
        assertTrue(log, log.contains("etcd unavailable"));
        for (MeshLab.Background ping : pings) {
            assertTrue(ping.process().waitFor(seconds + 20, TimeUnit.SECONDS));
            int[] counts = DiscoveryOutageE2EIT.pingCounts(ping.output());
            Figures.record("ping6 loss while replica 1 was killed and then all etcd members stopped ("
                    + ping.log().getFileName() + ")", (counts[0] - counts[1]) + " / " + counts[0]);
            assertTrue("pings answered:\n" + ping.output(), counts[0] >= seconds * 4 && counts[1] == counts[0]);
        }
        for (String n : NODES) {
            assertEquals(n + " keeps its peers with etcd down", 2, lab.peerSpecs(n).size());
        }
        lab.restartEtcd();
        Mesh.await("replica 2 sees etcd again", Duration.ofSeconds(30),
                () -> Mesh.Seen.of(lab.replicaMetrics(2).contains("discovery_backend_available 1"), "still unavailable"));
    }
}
