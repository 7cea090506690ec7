package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.grpc.StatusRuntimeException;
import dev.kubespan.test.ProcessSample;

/**
 * A mesh of three real agents under two faults at once: the discovery server restarted every 10 s
 * (by turns stopped with SIGTERM and killed with SIGKILL, then started again on its snapshot, at
 * the same address), and
 * 50 simulated peers joining and leaving all the time (affiliates with real WireGuard keys, sealed
 * with the cluster secret and published by a test client to the real server; a join or a leave
 * every 200 ms). Ping6 at 5/s runs on all six paths between the real nodes meanwhile.
 *
 * <p>Printed: pings lost, server restarts, joins and leaves, the agents' RSS, threads and open
 * files at start and end, and every {@code down} of a real node (which is never real here: they
 * all run). Asserted: no false {@code down}, at most 0.5 % of the pings lost, growth within
 * {@link #RSS_GROWTH_MIB} MiB, {@link #THREAD_GROWTH} threads and {@link #FD_GROWTH} files per
 * agent, the full mesh at the end and the simulated peers gone from every agent once deleted.
 *
 * <p>Short form (CI): 45 s. Long form: {@code -Dkubespan.faults.minutes=M} (e.g. 30), through
 * {@code scripts/faults --long}.
 */
public class DiscoveryChurnE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    static final int SIMULATED = 50;
    static final long RESTART_EVERY_MS = 10_000;
    static final long CHURN_EVERY_MS = 200;
    /** Bounds on an agent's growth over the run, generous: a heap that grows to its working size is no leak. */
    static final long RSS_GROWTH_MIB = 64;
    static final int THREAD_GROWTH = 16;
    static final int FD_GROWTH = 32;
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("churn");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void theMeshHoldsWhileTheDiscoveryServerRestartsAndFiftyPeersComeAndGo() throws Exception {
        for (int i = 0; i < NODES.size(); i++) {
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(3));
        lab.observerUp();
        Map<String, String> address = new LinkedHashMap<>();
        for (String n : NODES) {
            address.put(n, lab.kubespanAddress(n));
        }
        InetAddress subnet = InetAddress.getByName(address.get("node1"));
        String clusterId = lab.clusterId();
        Matcher secret = Pattern.compile("clusterSecret: *(\\S+)").matcher(Files.readString(lab.work().resolve("cluster.yaml")));
        assertTrue(secret.find());

        Map<String, ProcessSample> before = new LinkedHashMap<>();
        for (String n : NODES) {
            before.put(n, lab.agentSample(n));
        }
        MeshLab.Pings pings = lab.pingEachOther(NODES, "churn");
        long minutes = Long.getLong("kubespan.faults.minutes", 0);
        Duration length = minutes > 0 ? Duration.ofMinutes(minutes) : Duration.ofSeconds(45);
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long nextRestart = start + RESTART_EVERY_MS * 1_000_000;
        int restarts = 0;
        long restartMs = 0;
        String target = "10.99.0.254:3000";
        // The joins and leaves run on a thread of their own, so that a slow restart does not hold them up.
        Churn churn = new Churn(() -> new AffiliatePublisher(target, clusterId, secret.group(1)), subnet, end);
        Thread churner = new Thread(churn, "churn");
        churner.start();
        try {
            churn.allJoined.await();
            while (System.nanoTime() < end) {
                long wait = Math.min(nextRestart, end) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    continue;
                }
                long t0 = System.nanoTime();
                lab.killDiscovery(restarts % 2 == 0 ? "TERM" : "KILL");
                lab.startDiscovery();
                restartMs += (System.nanoTime() - t0) / 1_000_000;
                restarts++;
                nextRestart = Math.max(nextRestart + RESTART_EVERY_MS * 1_000_000, System.nanoTime());
            }
        } finally {
            churner.join(Duration.ofSeconds(60).toMillis());
        }
        if (churn.failure != null) {
            throw new AssertionError("the churn thread failed", churn.failure);
        }
        int joins = churn.joins;
        int leaves = churn.leaves;
        int refused = churn.refused;
        // Every simulated peer leaves (also those a SIGKILLed server's snapshot brought back).
        AffiliatePublisher pub = new AffiliatePublisher(target, clusterId, secret.group(1));
        try {
            long patience = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (int slot = 1; slot <= SIMULATED; slot++) {
                while (true) {
                    try {
                        pub.delete("sim-" + slot);
                        break;
                    } catch (StatusRuntimeException e) {
                        if (System.nanoTime() > patience) {
                            throw e;
                        }
                        Thread.sleep(1000);
                        pub.close();
                        pub = new AffiliatePublisher(target, clusterId, secret.group(1));
                    }
                }
            }
        } finally {
            pub.close();
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        MeshLab.PingCount pinged = pings.stop();
        // The simulated peers leave every agent once deleted; the real ones stay up.
        for (String n : NODES) {
            Mesh.await(n + " forgets the simulated peers", Duration.ofSeconds(90), () -> {
                Map<String, Map<String, Object>> specs = lab.peerSpecs(n);
                return Mesh.Seen.of(specs.size() == NODES.size() - 1, specs.keySet());
            });
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(60));

        Pattern down = Pattern.compile("peer (\\S+) \\(.*\\): \\w+ -> down");
        List<String> falseDowns = new ArrayList<>();
        int simulatedDowns = 0;
        List<String> problems = new ArrayList<>();
        for (String n : NODES) {
            for (String l : Files.readString(lab.home(n).resolve("agent.log")).lines().toList()) {
                Matcher m = down.matcher(l);
                if (m.find()) {
                    if (NODES.contains(m.group(1))) {
                        falseDowns.add(n + ": " + l);
                    } else {
                        simulatedDowns++;
                    }
                }
            }
            ProcessSample b = before.get(n);
            ProcessSample a = lab.agentSample(n);
            Figures.record("agent " + n + " start -> end of the churn", b + " -> " + a);
            if (a.rssKib() > b.rssKib() + RSS_GROWTH_MIB * 1024 || a.threads() > b.threads() + THREAD_GROWTH
                    || a.fds() > b.fds() + FD_GROWTH) {
                problems.add(n + " grew beyond +" + RSS_GROWTH_MIB + " MiB / +" + THREAD_GROWTH + " threads / +"
                        + FD_GROWTH + " fds: " + b + " -> " + a);
            }
        }
        falseDowns.forEach(System.out::println);
        Figures.record("discovery restarts + " + SIMULATED + " simulated peers churning, " + seconds + " s",
                restarts + " restarts (mean " + (restarts == 0 ? 0 : restartMs / restarts) + " ms down), " + joins
                        + " joins, " + leaves + " leaves, " + refused + " refused while restarting");
        Figures.record("ping6 at 5/s on 6 paths during the churn", pinged.toString());
        Figures.record("false down transitions during the churn (3 agents)",
                falseDowns.size() + " (simulated peers seen down: " + simulatedDowns + ")");
        assertEquals("down transitions of running nodes", List.of(), falseDowns);
        assertTrue("pings lost: " + pinged, pinged.lost() * 200 <= pinged.sent());
        assertEquals(List.of(), problems);
        assertTrue("the server was restarted", restarts >= 3);
    }

    /**
     * The 50 simulated peers: all join, then one joins or leaves every {@link #CHURN_EVERY_MS} until
     * {@code end}. A call the restarting server refuses is counted, and the next goes over a fresh
     * channel (not one in gRPC's reconnect backoff).
     */
    static final class Churn implements Runnable {
        private final java.util.function.Supplier<AffiliatePublisher> publishers;
        private final InetAddress subnet;
        private final long end;
        final java.util.concurrent.CountDownLatch allJoined = new java.util.concurrent.CountDownLatch(1);
        volatile int joins;
        volatile int leaves;
        volatile int refused;
        volatile Throwable failure;

        Churn(java.util.function.Supplier<AffiliatePublisher> publishers, InetAddress subnet, long end) {
            this.publishers = publishers;
            this.subnet = subnet;
            this.end = end;
        }

        @Override
        public void run() {
            boolean[] present = new boolean[SIMULATED + 1];
            Random random = new Random();
            AffiliatePublisher pub = publishers.get();
            try {
                for (int slot = 1; slot <= SIMULATED; slot++) {
                    pub.publish("sim-" + slot, slot, 60, subnet);
                    present[slot] = true;
                    joins++;
                }
                allJoined.countDown();
                while (System.nanoTime() < end) {
                    int slot = 1 + random.nextInt(SIMULATED);
                    try {
                        if (present[slot]) {
                            pub.delete("sim-" + slot);
                            leaves++;
                        } else {
                            pub.publish("sim-" + slot, slot, 60, subnet);
                            joins++;
                        }
                        present[slot] = !present[slot];
                    } catch (StatusRuntimeException e) {
                        refused++; // the server is restarting
                        pub.close();
                        pub = publishers.get();
                    }
                    Thread.sleep(CHURN_EVERY_MS);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                allJoined.countDown();
                pub.close();
            }
        }
    }
}
