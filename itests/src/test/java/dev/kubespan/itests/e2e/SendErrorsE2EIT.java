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
 * Netlink errors injected into a real agent: node1 runs under strace, which makes every 10th
 * {@code sendto(2)} of the agent JVM fail with {@code ENOBUFS} (the error a busy kernel gives a
 * netlink sender) from its 5th on, for the agent's whole life. {@code sendto} is the call of every
 * rtnetlink and generic-netlink request (links, addresses, routes, rules) and also of the UDP
 * liveness probes; the gRPC and UAPI sockets use {@code write}. The node must still join the mesh
 * (its reconciles retried), carry ping6 on every path, say what failed, and show no false
 * {@code down}.
 */
public class SendErrorsE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    static final String INJECT = "strace -f -qq --seccomp-bpf -o /dev/null -e trace=sendto"
            + " -e inject=sendto:error=ENOBUFS:when=5+10";
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("senderrors");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void anAgentWhoseSendsFailNowAndThenStillJoinsAndCarriesTraffic() throws Exception {
        long t0 = System.nanoTime();
        lab.launchAndAwaitShell("node1", 1, INJECT, "strace");
        lab.start("node2", 2);
        lab.start("node3", 3);
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(3));
        long meshMs = (System.nanoTime() - t0) / 1_000_000;
        MeshLab.Pings pings = lab.pingEachOther(NODES, "senderr");
        Thread.sleep(Duration.ofSeconds(Long.getLong("kubespan.faults.minutes", 0) > 0 ? 120 : 20).toMillis());
        MeshLab.PingCount pinged = pings.stop();
        String log = Files.readString(lab.home("node1").resolve("agent.log"));
        long errors = log.lines().filter(l -> l.contains("ENOBUFS") || l.contains("No buffer space")).count();
        List<String> falseDowns = new ArrayList<>();
        for (String n : NODES) {
            Files.readString(lab.home(n).resolve("agent.log")).lines().filter(l -> l.matches(".*peer node\\d .*-> down.*"))
                    .forEach(l -> falseDowns.add(n + ": " + l));
        }
        log.lines().filter(l -> l.contains("ENOBUFS") || l.contains("No buffer space")).limit(5)
                .forEach(l -> System.out.println("node1: " + l));
        Figures.record("every 10th sendto fails (ENOBUFS) on node1: full mesh / log lines / ping6 lost",
                Figures.seconds(meshMs * 1_000_000) + " / " + errors + " / " + pinged
                        + "; false downs " + falseDowns.size());
        assertTrue("node1 says what failed", errors > 0);
        assertEquals("down transitions of running nodes", List.of(), falseDowns);
        assertTrue("pings lost: " + pinged, pinged.lost() * 100 <= pinged.sent());
    }
}
