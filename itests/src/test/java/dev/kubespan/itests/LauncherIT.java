package dev.kubespan.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The distribution's {@code bin/kubespan}, run for real in a scratch installation: a config it
 * cannot read (a link into a file system that is not mounted, a link loop, an unreadable,
 * non-UTF-8 or empty file, a directory) stops it before the agent starts, with a sentence naming
 * the file and the reason, and the path is left exactly as it was; a link to a good config, and
 * the shipped template, start the agent. (Before: the broken link and the loop were replaced by a
 * freshly generated config, so the node came up alone in a new cluster; the others failed with a
 * raw Java exception.)
 */
public class LauncherIT {
    private Path dist;
    private Path home;
    private Path config;
    private final List<Process> started = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        dist = Path.of(System.getProperty("kubespan.itest.dist"));
        // Under /tmp, not the build tree: the unreadable case runs the launcher as nobody, who must reach it.
        home = Files.createTempDirectory("kubespan-launcher");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String dir : List.of("bin", "bundle", "etc")) {
            Files.createDirectories(home.resolve(dir));
            try (var files = Files.list(dist.resolve(dir))) {
                for (Path f : files.toList()) {
                    Files.copy(f, home.resolve(dir).resolve(f.getFileName()),
                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        config = home.resolve("etc/kubespan.yaml");
    }

    @After
    public void tearDown() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        try (var s = Files.walk(home)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    public void aLinkToAFileSystemThatIsNotMountedStopsTheLauncherAndStays() throws Exception {
        Files.delete(config);
        Path target = Path.of("/mnt/kubespan-config-not-mounted/kubespan.yaml");
        Files.createSymbolicLink(config, target);
        Run r = launch(List.of(), "--service");
        assertEquals(r.toString(), 1, r.exit());
        assertEquals(List.of(
                "gen-config: " + config + " is a symbolic link to " + target
                        + ", which does not exist (is its file system mounted?); nothing was changed.",
                "kubespan: not started, because " + config + " cannot be used as it is (see above)."), r.lines());
        assertTrue(Files.isSymbolicLink(config));
        assertEquals(target, Files.readSymbolicLink(config));
        assertNothingElseWritten();
    }

    @Test
    public void aLinkLoopStopsTheLauncherAndStays() throws Exception {
        Files.delete(config);
        Path other = home.resolve("etc/other.yaml");
        Files.createSymbolicLink(other, config);
        Files.createSymbolicLink(config, other);
        Run r = launch(List.of(), "--service");
        assertEquals(r.toString(), 1, r.exit());
        assertEquals(r.toString(), "gen-config: " + config + " is a symbolic link to " + other + " that cannot be"
                + " followed: too many levels of symbolic links (the links form a loop); nothing was changed.",
                r.lines().get(0));
        assertEquals(other, Files.readSymbolicLink(config));
        assertNothingElseWritten();
    }

    @Test
    public void aFileTheLauncherCannotReadStopsItWithTheReason() throws Exception {
        Files.write(config, "# r\u00e9seau\nversion: v1alpha1\n".getBytes(StandardCharsets.ISO_8859_1));
        Run latin1 = launch(List.of(), "--service");
        assertEquals(latin1.toString(), 1, latin1.exit());
        assertEquals("gen-config: " + config + " is not UTF-8 text: byte 0xe9 at line 1, column 4 is not valid UTF-8"
                + " (save the file as UTF-8); nothing was changed.", latin1.lines().get(0));

        Files.writeString(config, "");
        Run empty = launch(List.of(), "--service");
        assertEquals(1, empty.exit());
        assertEquals("gen-config: " + config + " is empty; restore its content, or remove it to have a new cluster"
                + " identity generated; nothing was changed.", empty.lines().get(0));
        assertEquals("", Files.readString(config));

        Files.delete(config);
        Files.createDirectory(config);
        Run dir = launch(List.of(), "--service");
        assertEquals(1, dir.exit());
        assertEquals("gen-config: " + config + " is a directory, not a file; nothing was changed.", dir.lines().get(0));
        Files.delete(config);

        // Root reads everything: the unreadable file is tried as nobody (uid 65534).
        Files.writeString(config, "apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        Run unreadable = launch(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                "--service");
        assertEquals(unreadable.toString(), 1, unreadable.exit());
        assertEquals("gen-config: cannot read " + config + ": permission denied; nothing was changed.",
                unreadable.lines().get(0));
        assertEquals("kubespan: not started, because " + config + " cannot be used as it is (see above).",
                unreadable.lines().get(1));
        assertEquals("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n", Files.readString(config));
        assertNothingElseWritten();
    }

    @Test
    public void everyOtherLauncherErrorIsASentence() throws Exception {
        Run noJava = launch(List.of(), Map.of("JAVA_HOME", "/nonexistent-jdk"), "--service");
        assertEquals(1, noJava.exit());
        assertEquals(List.of("kubespan: no Java runtime found (looked for '/nonexistent-jdk/bin/java'); install Java"
                + " 17 or later, or set JAVA_HOME."), noJava.lines());

        Run unknown = launch(List.of(), "--frobnicate");
        assertEquals(2, unknown.exit());
        assertEquals(List.of("kubespan: unknown argument '--frobnicate'; try --help."), unknown.lines());

        try (var jars = Files.newDirectoryStream(home.resolve("bundle"), "dev.kubespan.config-*.jar")) {
            for (Path j : jars) {
                Files.delete(j);
            }
        }
        Run noJar = launch(List.of(), "gen-config");
        assertEquals(1, noJar.exit());
        assertEquals(List.of("kubespan: the bundle dev.kubespan.config is missing from " + home.resolve("bundle")
                + "; the installation is incomplete."), noJar.lines());
    }

    /** A link to a good config (as an operator with a config partition has): used, never replaced. */
    @Test
    public void aLinkToAGoodConfigAndTheShippedTemplateStartTheAgent() throws Exception {
        Run gen = launch(List.of(), "gen-config", "--with-kubespan", "--discovery-endpoint", "http://127.0.0.1:3000/");
        assertEquals(gen.toString(), 0, gen.exit());
        Path elsewhere = Files.createDirectories(home.resolve("config-partition")).resolve("kubespan.yaml");
        Files.writeString(elsewhere, gen.output());
        Files.delete(config);
        Files.createSymbolicLink(config, elsewhere);
        startAndCheck();
        assertEquals(elsewhere, Files.readSymbolicLink(config));
        assertEquals(gen.output(), Files.readString(elsewhere));

        // The shipped template: the first start adds an identity and keeps the rest.
        stopAgents();
        Files.delete(config);
        Files.copy(dist.resolve("etc/kubespan.yaml"), config);
        String template = Files.readString(config);
        startAndCheck();
        String now = Files.readString(config);
        assertTrue("the template is kept", now.startsWith(template));
        assertTrue(now, now.contains("kind: DiscoveryIdentityConfig"));
    }

    private void startAndCheck() throws Exception {
        Process agent = new ProcessBuilder(home.resolve("bin/kubespan").toString(), "--service")
                .redirectErrorStream(true).redirectOutput(home.resolve("agent.log").toFile()).start();
        started.add(agent);
        Path socket = home.resolve("data/shell.sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket)) {
            assertTrue("the agent exited: " + Files.readString(home.resolve("agent.log")), agent.isAlive());
            assertTrue("no shell socket after 60 s", System.nanoTime() < deadline);
            Thread.sleep(200);
        }
        String status = "";
        while (System.nanoTime() < deadline && !status.contains("last load: ok")) {
            status = launch(List.of(), "shell", "kubespan:config-status").output();
            Thread.sleep(200);
        }
        assertTrue(status, status.contains("last load: ok: " + config));
    }

    private void stopAgents() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        started.clear();
    }

    /** The launcher stopped before the agent: no data directory, no temporary file next to the config. */
    private void assertNothingElseWritten() throws IOException {
        assertFalse("the agent did not start", Files.exists(home.resolve("data")));
        try (var etc = Files.list(home.resolve("etc"))) {
            List<String> tmp = etc.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), tmp);
        }
    }

    record Run(int exit, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    private Run launch(List<String> prefix, String... args) throws Exception {
        return launch(prefix, Map.of(), args);
    }

    private Run launch(List<String> prefix, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(home.resolve("bin/kubespan").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd) + " did not end", p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }
}
