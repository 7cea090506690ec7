package dev.kubespan.wireguard.internal.userspace;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.test.Netns;

/**
 * The supervisor where a container puts it: in a PID namespace of its own. The worst case is
 * made on purpose: the supervisor's JVM ({@link SupervisorProcess}) runs in a new PID namespace
 * without a {@code /proc} of its own, so {@code /proc} shows the enclosing namespace, which this
 * test fills with 400 {@code sleep}s first: there, the number of the supervisor's wireguard-go
 * is a stranger that lives on. Before the fix the JDK's {@link ProcessHandle} (which reads that
 * {@code /proc}) took the stranger for the daemon: a SIGKILLed wireguard-go was never restarted,
 * and adoption reported a pid of the wrong namespace.
 *
 * <p>Real wireguard-go, a network namespace of this test; needs root, iproute2, util-linux
 * {@code unshare}; fails (never skips) without them. Every process it starts dies with the
 * outer {@code unshare} ({@code --kill-child}), which {@link #tearDown} kills by pid.
 */
public class SupervisionInPidNamespaceTest {
    /** The bound: the daemon answers again within 5 s of a SIGKILL. */
    private static final long RECOVERY_MS = 5000;

    private final String link = "ksp" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private Netns ns;
    private Path runtimeDir;
    private Process supervisor;
    private Writer commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        ns = Netns.create("ks-nl-");
        runtimeDir = Files.createTempDirectory("ks-wg-pidns");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "mount -t tmpfs tmpfs /run/wireguard 2>/dev/null"
                + " || { mkdir -p /run/wireguard && mount -t tmpfs tmpfs /run/wireguard; }\n"
                // strangers on the numbers the inner namespace will hand out (bounded: they die with this namespace)
                + "for i in $(seq 1 400); do sleep 600 & done\n"
                + "exec unshare --pid --fork --kill-child -- \"$0\" -cp \"$1\" " + SupervisorProcess.class.getName()
                + " \"$2\" \"$3\"";
        supervisor = new ProcessBuilder("ip", "netns", "exec", ns.name(), "unshare", "--mount", "--pid", "--fork",
                "--kill-child", "--mount-proc", "--propagation", "private", "--", "sh", "-c", script, java,
                System.getProperty("java.class.path"), runtimeDir.toString(), link).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        commands = new java.io.OutputStreamWriter(supervisor.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(supervisor.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith("@@ ")) {
                        answers.add(line.substring(3));
                    }
                }
            } catch (IOException e) {
                // the supervisor is gone
            }
        }, "supervisor answers");
        reader.setDaemon(true);
        reader.start();
    }

    @After
    public void tearDown() throws IOException {
        if (supervisor != null) {
            supervisor.destroyForcibly();
            try {
                supervisor.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (long pid : daemons()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (ns != null) {
            ns.close();
        }
        try (Stream<Path> files = Files.walk(runtimeDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    public void aKilledDaemonIsRestartedAndAnAdoptedOneIsWatchedAndStopped() throws Exception {
        String started = ask("start");
        assertTrue(started, started.matches("ok \\d+ started"));
        long innerPid = Long.parseLong(started.split(" ")[1]);
        long hostPid = onlyDaemon();
        assertEquals("the reported pid is the daemon's in the supervisor's namespace", innerPid, innermostPid(hostPid));
        assertTrue("a stranger (one of this test's sleeps) holds the daemon's number in the /proc the supervisor sees",
                strangerHolds(innerPid));

        long second = killAndAwaitNew(hostPid, "child");
        String reopened = ask("reopen");
        assertEquals("the new instance adopts the running daemon by its pid in its own namespace",
                "ok " + innermostPid(second) + " adopted", reopened);
        long third = killAndAwaitNew(second, "adopted");
        assertTrue(ask("health"), ask("health").contains("restarts 1"));

        assertEquals("ok", ask("stop"));
        assertEquals("close(false) stops the daemon", List.of(), daemons());
        assertTrue("and removes the link", ns.ip("-o", "link", "show").lines().noneMatch(l -> l.contains(link)));
        assertNotEquals(hostPid, third);
    }

    /** SIGKILLs the daemon and waits for the supervisor's next one, with its link up; returns its host pid. */
    private long killAndAwaitNew(long hostPid, String what) throws Exception {
        ProcessHandle.of(hostPid).orElseThrow().destroyForcibly();
        long t0 = System.nanoTime();
        while (true) {
            List<Long> now = daemons();
            if (now.size() == 1 && now.get(0) != hostPid && linkUp()) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("FIGURE supervisor in its own PID namespace (foreign /proc): killed " + what
                        + " wireguard-go replaced, link up, after " + ms + " ms");
                return now.get(0);
            }
            if (System.nanoTime() - t0 > RECOVERY_MS * 1_000_000) {
                fail("no new wireguard-go for " + link + " within " + RECOVERY_MS + " ms of SIGKILL of the " + what
                        + " daemon (host pid " + hostPid + "); daemons now " + now + "; health: " + ask("health")
                        + "; transcript " + transcript);
            }
            Thread.sleep(50);
        }
    }

    private boolean linkUp() {
        return ns.ip("-o", "link", "show").lines().anyMatch(l -> l.contains(" " + link + ":") && l.matches(".*[<,]UP[,>].*"));
    }

    private String ask(String command) throws Exception {
        commands.write(command + "\n");
        commands.flush();
        String answer = answers.poll(30, TimeUnit.SECONDS);
        transcript.add(command + " -> " + answer);
        if (answer == null) {
            fail("the supervisor did not answer " + command + "; transcript " + transcript);
        }
        return answer;
    }

    /** Host pids of the wireguard-go processes serving this test's link. */
    private List<Long> daemons() {
        ProcFs proc = ProcFs.system();
        List<Long> out = new ArrayList<>();
        for (long pid : proc.pids()) {
            if (ProcFs.isWireGuardGoFor(proc.cmdline(pid), WireGuardGoBinary.NAME, link)) {
                out.add(pid);
            }
        }
        return out;
    }

    private long onlyDaemon() {
        List<Long> d = daemons();
        assertEquals("one wireguard-go for " + link, 1, d.size());
        return d.get(0);
    }

    private static List<Long> nspid(long hostPid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"))) {
            if (line.startsWith("NSpid:")) {
                return Stream.of(line.substring(6).trim().split("\\s+")).map(Long::parseLong).toList();
            }
        }
        throw new AssertionError("no NSpid for " + hostPid);
    }

    private static long innermostPid(long hostPid) throws IOException {
        List<Long> ids = nspid(hostPid);
        return ids.get(ids.size() - 1);
    }

    /** Whether one of this test's sleeps has number {@code pid} in the namespace the supervisor's /proc shows. */
    private boolean strangerHolds(long pid) throws IOException {
        ProcFs proc = ProcFs.system();
        for (long host : proc.pids()) {
            List<String> argv = proc.cmdline(host);
            if (argv.equals(List.of("sleep", "600")) && proc.netns(host).equals(java.util.Optional.of(
                    dev.kubespan.wireguard.internal.LinkOpsAccess.namespaceOf(Path.of("/run/netns", ns.name()))))) {
                List<Long> ids = nspid(host);
                if (ids.size() == 2 && ids.get(1) == pid) {
                    return true;
                }
            }
        }
        return false;
    }
}
