package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestRule;

import dev.kubespan.api.wireguard.Key;
import dev.kubespan.config.ConfigGenerator;

/**
 * The agent killed while it writes what it must never lose: the cluster identity the launcher adds
 * to {@code etc/kubespan.yaml} (its config generator, the JVM {@code bin/kubespan} runs before the
 * agent), and the node's identity files in {@code data/state} (node ID and WireGuard key pair, the
 * agent JVM). Each is killed with SIGKILL exactly at the system call that puts the new file in
 * place ({@code strace} injecting the signal there), and at random moments of its start, many
 * times. After every kill the file is either as it was (absent, or the template) or complete;
 * the next start uses it (the same node ID and key as on disk) and leaves no temporary file
 * behind (they hold the secrets).
 *
 * <p>Short form (CI, {@code mvn verify}): the injected kills and 6 random kills of the generator;
 * {@code scripts/faults} adds 2 random kills of the agent, its long form 20
 * ({@code -Dkubespan.faults.rounds=N}). The agent's random kills stay out of CI for now: once in a
 * loaded run the restart after one published no identity within 60 s, and the lab's logs were gone
 * by the time it was looked at (issue 16's note). A failed test now keeps them
 * ({@link MeshLab#keepLogsOnFailure}: {@code target/e2e-failed-logs/}).
 */
public class CrashMidWriteE2EIT {
    static final String NODE = "node1";
    /**
     * strace SIGKILLs the caller at the first named call on the {@code -P} path (not with
     * {@code --seccomp-bpf}: strace 6.1 then injects into no call filtered by path).
     */
    static final String STRACE = "strace -f -qq -o /dev/null";
    static final int ROUNDS = Integer.getInteger("kubespan.faults.rounds", 2);
    /** Random kills of the agent: only when asked for (scripts/faults), see the class comment. */
    static final int AGENT_ROUNDS = Integer.getInteger("kubespan.faults.rounds", 0);
    private MeshLab lab;
    @Rule
    public final TestRule keepLogs = MeshLab.keepLogsOnFailure(() -> lab);

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("crashwrite");
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void theConfigIsAsItWasOrCompleteAfterAKillMidWrite() throws Exception {
        long start = System.nanoTime();
        Path dir = lab.work().resolve("config-kill");
        Files.createDirectories(dir);
        Path file = dir.resolve("kubespan.yaml");
        String template = Files.readString(lab.dist().resolve("etc/kubespan.yaml"));
        assertFalse("the shipped template has no cluster identity", ConfigGenerator.hasIdentity(template));

        Files.writeString(file, template);
        long t0 = System.nanoTime();
        MeshLab.Result plain = generator(file, "");
        long fullMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(plain.output(), 0, plain.exit());
        assertEquals("complete", configOutcome(file, template));

        Map<String, Integer> outcomes = new TreeMap<>();
        // Killed at the rename that replaces the template with the finished temporary file.
        Files.writeString(file, template);
        // Not filtered by path: strace 6.1's -P never matches rename(2), and the generator makes
        // exactly one rename, the config's (its strace shows no other).
        MeshLab.Result atRename = generator(file, STRACE
                + " -e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:signal=KILL:when=1");
        assertTrue("killed at the rename: " + atRename, atRename.exit() != 0);
        assertEquals("killed at the rename, the template stays", "as it was", configOutcome(file, template));
        int leftAfterKill = temporaryFiles(dir, file).size();
        // The next run completes it, and clears the dead run's temporary file.
        assertEquals(0, generator(file, "").exit());
        assertEquals("complete", configOutcome(file, template));
        assertEquals("temporary files after the next run", List.of(), temporaryFiles(dir, file));

        // First start without a file: killed at the link that creates it.
        Files.delete(file);
        MeshLab.Result atLink = generator(file, STRACE + " -P " + file
                + " -e trace=link,linkat -e inject=link,linkat:signal=KILL");
        assertTrue("killed at the link: " + atLink, atLink.exit() != 0);
        assertFalse("killed at the link, no file", Files.exists(file));
        assertEquals(0, generator(file, "").exit());
        assertTrue(ConfigGenerator.hasIdentity(Files.readString(file)));
        assertEquals(List.of(), temporaryFiles(dir, file));

        // Random moments of the generator's run, the template in place each time.
        for (int i = 0; i < ROUNDS * 3; i++) {
            Files.writeString(file, template);
            long delay = ThreadLocalRandom.current().nextLong(fullMs * 12 / 10 + 1);
            Process p = new ProcessBuilder(generatorCommand(file)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("generator.out").toFile()).start();
            if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
            p.waitFor(30, TimeUnit.SECONDS);
            outcomes.merge(configOutcome(file, template), 1, Integer::sum);
        }
        Figures.record("config generator SIGKILLed mid-write (rename, link, " + ROUNDS * 3 + " random)",
                "no corrupt file; random kills left " + outcomes + "; temporary files left by a kill at the rename: "
                        + leftAfterKill + ", after the next run: 0; " + Figures.seconds(System.nanoTime() - start));
    }

    @Test
    public void theIdentityIsAbsentOrCompleteAfterAKillMidWriteAndTheSameAfterRestart() throws Exception {
        long start = System.nanoTime();
        Path home = lab.prepareHome(NODE);
        Path state = home.resolve("data/state");
        Path keyFile = state.resolve("kubespan-identity.yaml");
        Path idFile = state.resolve("node-identity.yaml");
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> injections = List.of(
                "-P " + keyFile + " -e trace=link,linkat -e inject=link,linkat:signal=KILL",
                "-P " + idFile + " -e trace=link,linkat -e inject=link,linkat:signal=KILL",
                "-P " + state + " -e trace=fsync -e inject=fsync:signal=KILL:when=2");
        long identityMs = 0;
        int kills = 0;
        for (String injection : injections) {
            wipe(state);
            lab.launch(NODE, 1, STRACE + " " + injection);
            awaitAgentGone(Duration.ofSeconds(90));
            lab.kill(NODE);
            kills++;
            outcomes.merge("at " + injection.replaceAll(".*trace=(\\w+).*", "$1") + " ("
                    + Path.of(injection.split(" ")[1]).getFileName() + "): " + stateOutcome(state), 1, Integer::sum);
            long ms = restartAndCompare(state);
            identityMs = Math.max(identityMs, ms);
            lab.kill(NODE);
        }
        long slowest = identityMs;
        // Random moments of the start: every other round on a wiped state (the first write), the
        // others on the identity of the round before (which must survive the kill unchanged).
        for (int i = 0; i < AGENT_ROUNDS; i++) {
            boolean fresh = i % 2 == 0;
            if (fresh) {
                wipe(state);
            }
            Optional<String> before = keyOf(keyFile);
            long delay = ThreadLocalRandom.current().nextLong(identityMs + 1000);
            lab.launch(NODE, 1, "");
            Thread.sleep(delay);
            lab.kill(NODE);
            kills++;
            String outcome = stateOutcome(state);
            outcomes.merge((fresh ? "random, first write: " : "random, existing identity: ") + outcome, 1,
                    Integer::sum);
            if (before.isPresent()) {
                assertEquals("the key after a kill", before, keyOf(keyFile));
            }
            slowest = Math.max(slowest, restartAndCompare(state));
            lab.kill(NODE);
        }
        Figures.record("agent SIGKILLed mid-write of its identity (" + kills + " kills)",
                "no corrupt file, same identity after every restart, no temporary file left; " + outcomes
                        + "; slowest restart to its identity " + Figures.seconds(slowest * 1_000_000) + "; "
                        + Figures.seconds(System.nanoTime() - start));
    }

    /** Starts the agent normally; its published identity must be the one on disk. Returns ms to it. */
    private long restartAndCompare(Path state) throws Exception {
        Optional<String> keyBefore = keyOf(state.resolve("kubespan-identity.yaml"));
        Optional<String> idBefore = nodeIdOf(state.resolve("node-identity.yaml"));
        long t0 = System.nanoTime();
        lab.start(NODE, 1);
        MeshLab.Identity[] seen = new MeshLab.Identity[1];
        Mesh.await(NODE + " publishes its identity", Duration.ofSeconds(60), () -> {
            seen[0] = lab.identity(NODE); // fails until there is one
            return Mesh.Seen.of(true, seen[0]);
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        keyBefore.ifPresent(k -> assertEquals("the key after restart", k, seen[0].publicKey()));
        idBefore.ifPresent(id -> assertEquals("the node ID after restart", id, seen[0].nodeId()));
        assertEquals("published key = key file", keyOf(state.resolve("kubespan-identity.yaml")),
                Optional.of(seen[0].publicKey()));
        assertEquals("temporary files in " + state + " after a start", List.of(), temporaryFiles(state, null));
        return ms;
    }

    /** What a kill left: which identity files exist (each complete, or the test fails). */
    private static String stateOutcome(Path state) throws IOException {
        boolean key = keyOf(state.resolve("kubespan-identity.yaml")).isPresent();
        boolean id = nodeIdOf(state.resolve("node-identity.yaml")).isPresent();
        return (key && id) ? "both files complete" : key ? "key file complete, no node ID" : id
                ? "node ID complete, no key file" : "neither file";
    }

    /** The public key of a complete key file, empty when there is none; a torn file fails the test. */
    static Optional<String> keyOf(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file);
        Matcher priv = Pattern.compile("(?m)^privateKey: *(\\S+)$").matcher(text);
        Matcher pub = Pattern.compile("(?m)^publicKey: *(\\S+)$").matcher(text);
        assertTrue(file + " is torn (" + text.length() + " characters)", priv.find() && pub.find());
        assertEquals(file + ": the public key belongs to the private key", pub.group(1),
                Key.fromBase64(priv.group(1)).publicKey().toBase64());
        return Optional.of(pub.group(1));
    }

    static Optional<String> nodeIdOf(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("(?m)^nodeId: *(\\S+)$").matcher(Files.readString(file));
        assertTrue(file + " is torn", m.find());
        return Optional.of(m.group(1));
    }

    /** Dot-files ending in .tmp: what a writer killed between its temporary file and the rename leaves. */
    static List<String> temporaryFiles(Path dir, Path target) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") && n.endsWith(".tmp"))
                    .filter(n -> target == null || n.startsWith("." + target.getFileName())).sorted().toList();
        }
    }

    private void awaitAgentGone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!javaRuns()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(NODE + ": the agent was not killed at the injected system call within "
                + timeout.toSeconds() + " s");
    }

    /** Whether a JVM (the launcher's generator or the agent) runs in the node's namespace. */
    private boolean javaRuns() {
        for (String pid : MeshLab.exec(List.of("ip", "netns", "pids", "ks-" + NODE), Duration.ofSeconds(10)).output()
                .split("\\s+")) {
            try {
                if (!pid.isBlank() && Files.readString(Path.of("/proc", pid, "comm")).trim().equals("java")) {
                    return true;
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return false;
    }

    private static void wipe(Path state) throws IOException {
        Files.createDirectories(state);
        if (Files.isDirectory(state)) {
            try (var s = Files.list(state)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private List<String> generatorCommand(Path file) throws IOException {
        Path jar;
        try (var s = Files.list(lab.dist().resolve("bundle"))) {
            jar = s.filter(p -> p.getFileName().toString().startsWith("dev.kubespan.config-")).findFirst()
                    .orElseThrow();
        }
        // What bin/kubespan runs on a first start (first_start in the launcher).
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", jar.toString(),
                "dev.kubespan.config.ConfigGenerator", "--init", file.toString(), "--with-kubespan",
                "--discovery-endpoint", "http://127.0.0.1:3000/");
    }

    private MeshLab.Result generator(Path file, String wrap) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (!wrap.isEmpty()) {
            cmd.addAll(List.of(wrap.split(" ")));
        }
        cmd.addAll(generatorCommand(file));
        return MeshLab.exec(cmd, Duration.ofMinutes(1));
    }

    /** "as it was" (the template), "complete" (the template and a whole identity), or the test fails. */
    private static String configOutcome(Path file, String template) throws IOException {
        String text = Files.readString(file);
        if (text.equals(template)) {
            return "as it was";
        }
        assertTrue(file + " is torn: it does not start with the template", text.startsWith(template));
        Matcher id = Pattern.compile("(?m)^clusterID: *(\\S{43,})$").matcher(text);
        Matcher secret = Pattern.compile("(?m)^clusterSecret: *(\\S{43,})$").matcher(text);
        assertTrue(file + " is torn: no whole cluster identity", id.find() && secret.find());
        assertTrue(file + " ends without a line end", text.endsWith("\n"));
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(text)) {
            assertTrue(doc == null || doc instanceof Map);
        }
        return "complete";
    }
}
