package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestRule;

import dev.kubespan.test.ProcessSample;

/**
 * The wall clock stepped an hour forward, back, back again and forward under one agent, with a full
 * mesh of three carrying ping6. The host's clock is not touched: node1's JVM runs with libfaketime
 * preloaded (only the wall clock faked, {@code FAKETIME_DONT_FAKE_MONOTONIC=1}), its offset read
 * from a file this test rewrites. From node1's point of view its wall clock steps while the
 * handshake times wireguard-go reports (Go reads the clock through the vDSO, not libc) do not:
 * the same relation between the two that a step of the host clock creates for the handshakes
 * made before it. Asserted: no peer shown anything but {@code up} on any node at any poll of its
 * shell, no {@code -> down} in any log, node1's discovery client connected throughout and still
 * seen by the others, no affiliate expired on the server. Printed: the pings lost and the
 * agents' RSS, threads and open files.
 *
 * <p>Short form (CI): each step held 15 s. Long form ({@code -Dkubespan.faults.minutes=M}, e.g.
 * {@code scripts/faults --long}): each held 150 s, so WireGuard rekeys (every 2 min) while the
 * clock is off, for about M minutes.
 */
public class ClockStepE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    /** The offsets of node1's wall clock, in the order applied: +1 h, back, -1 h, back. */
    static final List<String> OFFSETS = List.of("+3600", "+0", "-3600", "+0");
    /**
     * The offset file re-read at most once a second (every clock read of the JVM goes through the
     * library); the monotonic clock left alone; and FORCE_MONOTONIC_FIX off, without which
     * libfaketime 0.9.10 makes the JVM's timed waits on its monotonic condition variables return at
     * once (Object.wait(200) took 0 ms, parkNanos 200 ms took 0-51 ms: Felix never finished starting).
     */
    static final String FAKETIME_ENV = "FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1"
            + " FAKETIME_FORCE_MONOTONIC_FIX=0";
    private MeshLab lab;
    @Rule
    public final TestRule keepLogs = MeshLab.keepLogsOnFailure(() -> lab);

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("clockstep");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    /** libfaketime's multi-threaded variant, from the Debian package scripts/install-deps installs. */
    static Path libfaketime() throws IOException {
        try (var dirs = Files.list(Path.of("/usr/lib"))) {
            return dirs.map(d -> d.resolve("faketime/libfaketimeMT.so.1")).filter(Files::exists).findFirst()
                    .orElseThrow(() -> new AssertionError(
                            "no /usr/lib/*/faketime/libfaketimeMT.so.1: install Debian's faketime (scripts/install-deps)"));
        }
    }

    @Test
    public void steppingOneAgentsWallClockAnHourEachWayShowsNoPeerDown() throws Exception {
        Path offset = lab.work().resolve("node1.faketime");
        Files.writeString(offset, "+0\n");
        lab.launchAndAwaitShell("node1", 1,
                "env LD_PRELOAD=" + libfaketime() + " FAKETIME_TIMESTAMP_FILE=" + offset + " " + FAKETIME_ENV, "libfaketime");
        lab.start("node2", 2);
        lab.start("node3", 3);
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(3));
        Map<String, ProcessSample> before = new LinkedHashMap<>();
        for (String n : NODES) {
            before.put(n, lab.agentSample(n));
        }
        MeshLab.Pings pings = lab.pingEachOther(NODES, "clock");
        long minutes = Long.getLong("kubespan.faults.minutes", 0);
        Duration hold = minutes > 0 ? Duration.ofSeconds(150) : Duration.ofSeconds(15);
        int cycles = minutes > 0 ? (int) Math.max(1, minutes * 60 / (hold.toSeconds() * OFFSETS.size())) : 1;
        List<String> notUp = Collections.synchronizedList(new ArrayList<>());
        List<String> registry = Collections.synchronizedList(new ArrayList<>());
        int[] polls = new int[1];
        long start = System.nanoTime();
        for (int c = 0; c < cycles; c++) {
            for (String o : OFFSETS) {
                Files.writeString(offset, o + "\n");
                String phase = "offset " + o + " s";
                System.out.println("node1's JVM reads its wall clock " + seenByNode1(o) + " s off");
                long until = System.nanoTime() + hold.toNanos();
                while (System.nanoTime() < until) {
                    polls[0]++;
                    for (String n : NODES) {
                        Map<String, String> states = lab.peerStates(n);
                        for (String peer : NODES) {
                            if (!peer.equals(n) && !"up".equals(states.get(peer))) {
                                notUp.add(phase + ": " + n + " shows " + peer + " " + states.get(peer));
                            }
                        }
                    }
                    String r = lab.registryState("node1");
                    if (!"connected".equals(r)) {
                        registry.add(phase + ": node1's discovery client " + r);
                    }
                    Thread.sleep(1000);
                }
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        MeshLab.PingCount pinged = pings.stop();
        List<String> downs = new ArrayList<>();
        for (String n : NODES) {
            Files.readString(lab.home(n).resolve("agent.log")).lines()
                    .filter(l -> l.contains(" -> down") || l.contains("no answer to liveness probes"))
                    .forEach(l -> downs.add(n + ": " + l));
            Figures.record("agent " + n + " before -> after the clock steps", before.get(n) + " -> " + lab.agentSample(n));
        }
        downs.forEach(System.out::println);
        notUp.forEach(System.out::println);
        Pattern expired = Pattern.compile("(?m)^discovery_state_gc_affiliates_total(\\{[^}]*\\})? (\\S+)");
        Matcher gc = expired.matcher(lab.discoveryMetrics());
        double expiredAffiliates = 0;
        while (gc.find()) {
            expiredAffiliates += Double.parseDouble(gc.group(2));
        }
        Figures.record("node1's wall clock +1 h, back, -1 h, back (" + cycles + "x, " + hold.toSeconds() + " s each)",
                seconds + " s, " + polls[0] + " polls of 3 shells");
        Figures.record("ping6 at 5/s on 6 paths during the clock steps", pinged.toString());
        Figures.record("peers shown not up / down transitions logged", notUp.size() + " / " + downs.size());
        Figures.record("node1's discovery client not connected / affiliates expired",
                registry.size() + " polls / " + (long) expiredAffiliates);
        assertEquals("peers shown not up while node1's clock stepped", List.of(), notUp);
        assertEquals("down transitions logged", List.of(), downs);
        assertEquals("node1's discovery client", List.of(), registry);
        assertEquals("affiliates expired on the discovery server", 0, (long) expiredAffiliates);
        for (String n : List.of("node2", "node3")) {
            assertTrue(n + " still has node1 from discovery", lab.peerSpecs(n).containsKey("node1"));
        }
        assertTrue("pings lost: " + pinged, pinged.lost() * 200 <= pinged.sent());
        Mesh.awaitFullMesh(lab, NODES, Duration.ofSeconds(30));
    }

    /**
     * Waits until node1's JVM reads its wall clock at the offset (libfaketime re-reads the file
     * within a second): Gogo's {@code new java.util.Date} in its shell (printed as its properties,
     * {@code Time} the epoch milliseconds), against this JVM's clock. Returns the offset seen in seconds.
     */
    private long seenByNode1(String offset) throws InterruptedException {
        long want = Long.parseLong(offset.replace("+", ""));
        long[] seen = new long[1];
        Mesh.await("node1's wall clock at " + offset + " s", Duration.ofSeconds(30), () -> {
            String out = lab.shell("node1", "new java.util.Date");
            Matcher time = Pattern.compile("(?m)^Time\\s+(\\d+)\\s*$").matcher(out);
            if (!time.find()) {
                return Mesh.Seen.of(false, out);
            }
            seen[0] = Duration.between(Instant.now(), Instant.ofEpochMilli(Long.parseLong(time.group(1)))).toSeconds();
            return Mesh.Seen.of(Math.abs(seen[0] - want) <= 5, "offset " + seen[0] + " s");
        });
        return seen[0];
    }
}
