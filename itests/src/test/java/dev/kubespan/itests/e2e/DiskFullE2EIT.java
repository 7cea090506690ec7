package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A full disk (ENOSPC, a small tmpfs mounted in this test's own mount namespace and filled) under
 * the agent's state directory when it must create its identity, and under the discovery server's
 * snapshot: a clear error naming the file and the reason, no partial or temporary file, the last
 * good snapshot kept (and loaded by a restart while the disk is still full), and recovery by
 * itself once space returns.
 */
public class DiskFullE2EIT {
    static final String NODE = "node1";
    static final java.net.InetAddress SUBNET = subnet();
    private MeshLab lab;
    private final List<Path> mounts = new ArrayList<>();
    private Process server;

    @org.junit.Rule
    public org.junit.rules.TestName test = new org.junit.rules.TestName();

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab(test.getMethodName().contains("Snapshot") ? "diskfull-snapshot" : "diskfull-identity");
    }

    @After
    public void tearDown() {
        if (server != null) {
            server.destroyForcibly();
        }
        lab.close();
        for (Path m : mounts) {
            MeshLab.exec(List.of("umount", "-l", m.toString()), Duration.ofSeconds(10));
        }
    }

    @Test
    public void aFullStateDirectoryIsAClearErrorAndTheIdentityComesWhenSpaceReturns() throws Exception {
        Path home = lab.prepareHome(NODE);
        Path state = home.resolve("data/state");
        Path filler = fullTmpfs(state, "64k");
        lab.start(NODE, 1);
        Path log = home.resolve("agent.log");
        String[] line = new String[1];
        Mesh.await(NODE + " says why it has no identity", Duration.ofSeconds(60), () -> {
            line[0] = read(log).lines().filter(l -> l.contains("No space left on device")).findFirst().orElse(null);
            return Mesh.Seen.of(line[0] != null, "no ENOSPC line in agent.log yet");
        });
        System.out.println("agent.log: " + line[0]);
        assertTrue("the error names the state directory: " + line[0], line[0].contains(state.toString()));
        assertTrue("no KubeSpan identity while the disk is full", lab.resources(NODE, "ksi").isEmpty());
        try (var s = Files.list(state)) {
            assertEquals("nothing but the filler in " + state, List.of("filler"),
                    s.map(p -> p.getFileName().toString()).toList());
        }
        long lines = read(log).lines().filter(l -> l.contains("No space left on device")).count();

        long t0 = System.nanoTime();
        Files.delete(filler);
        MeshLab.Identity[] seen = new MeshLab.Identity[1];
        Mesh.await(NODE + " creates its identity once space returns", Duration.ofSeconds(120), () -> {
            seen[0] = lab.identity(NODE);
            return Mesh.Seen.of(true, seen[0]);
        });
        long recoveredMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(CrashMidWriteE2EIT.keyOf(state.resolve("kubespan-identity.yaml")),
                java.util.Optional.of(seen[0].publicKey()));
        assertEquals(CrashMidWriteE2EIT.nodeIdOf(state.resolve("node-identity.yaml")),
                java.util.Optional.of(seen[0].nodeId()));
        Figures.record("agent identity on a full disk (ENOSPC)",
                "clear error (" + lines + " log lines while full), no partial file; identity " + recoveredMs
                        + " ms after space returned");
    }

    @Test
    public void aFullDiskKeepsTheLastGoodSnapshotAndTheServerSavesAgainWhenSpaceReturns() throws Exception {
        Path dir = lab.work().resolve("snapshot");
        Path snapshot = dir.resolve("state.bin");
        Files.createDirectories(dir);
        mount(dir, "64k");
        Path serverLog = lab.work().resolve("snapshot-server.log");
        startServer(snapshot, serverLog);
        String cluster = AffiliatePublisher.randomSecret();
        try (AffiliatePublisher pub = new AffiliatePublisher("127.0.0.1:3100", cluster,
                AffiliatePublisher.randomSecret())) {
            for (int i = 1; i <= 20; i++) {
                pub.publish("sim-" + i, i, 600, SUBNET);
            }
            awaitSavedAffiliates(20);
            byte[] good = Files.readAllBytes(snapshot);

            fill(dir.resolve("filler"));
            for (int i = 21; i <= 40; i++) {
                pub.publish("sim-" + i, i, 600, SUBNET);
            }
            Mesh.await("a failed save", Duration.ofSeconds(20),
                    () -> Mesh.Seen.of(metric("discovery_storage_operations_total\\{operation=\"save\",status=\"error\"\\}") >= 3,
                            "saves failed: " + metric("discovery_storage_operations_total\\{operation=\"save\",status=\"error\"\\}")));
            String full = read(serverLog);
            List<String> errors = full.lines().filter(l -> l.contains("cannot save snapshot")).toList();
            System.out.println("server log: " + errors);
            assertEquals("one line for a full disk, not one per attempt: " + errors, 1, errors.size());
            assertTrue(errors.get(0), errors.get(0).contains("No space left on device")
                    && errors.get(0).contains(snapshot.toString()));
            assertFalse("a stack trace for a full disk:\n" + full, full.contains("\tat "));
            assertArrayEquals("the last good snapshot is kept", good, Files.readAllBytes(snapshot));
            assertFalse("no partial temporary file holds the space", Files.exists(dir.resolve("state.bin.tmp")));
        }

        // Killed while the disk is still full: the restart loads the last good snapshot.
        server.destroyForcibly().waitFor();
        startServer(snapshot, serverLog);
        try (AffiliatePublisher pub = new AffiliatePublisher("127.0.0.1:3100", cluster,
                AffiliatePublisher.randomSecret())) {
            assertEquals("affiliates after a restart on a full disk", 20, pub.list().size());
            for (int i = 21; i <= 40; i++) {
                pub.publish("sim-" + i, i, 600, SUBNET);
            }
            // Space returns only after the restarted server failed a save: freed before its first
            // attempt, it saves at once and has nothing to say "again" about.
            Mesh.await("a failed save after the restart", Duration.ofSeconds(20),
                    () -> Mesh.Seen.of(metric("discovery_storage_operations_total\\{operation=\"save\",status=\"error\"\\}") >= 1,
                            "saves failed: " + metric("discovery_storage_operations_total\\{operation=\"save\",status=\"error\"\\}")));
            long t0 = System.nanoTime();
            Files.delete(dir.resolve("filler"));
            awaitSavedAffiliates(40);
            long savedMs = (System.nanoTime() - t0) / 1_000_000;
            Mesh.await("the server says it saves again", Duration.ofSeconds(10),
                    () -> Mesh.Seen.of(read(serverLog).contains("again after"), "no line yet"));
            server.destroyForcibly().waitFor();
            startServer(snapshot, serverLog);
            try (AffiliatePublisher again = new AffiliatePublisher("127.0.0.1:3100", cluster,
                    AffiliatePublisher.randomSecret())) {
                assertEquals("affiliates after the restart once space returned", 40, again.list().size());
            }
            Figures.record("discovery snapshot on a full disk (ENOSPC)",
                    "one warning line, last good snapshot kept and loaded by a restart; saved again " + savedMs
                            + " ms after space returned (1 s interval)");
        }
    }

    private void startServer(Path snapshot, Path log) throws Exception {
        server = new ProcessBuilder(lab.dist().resolve("bin/kubespan-discovery").toString(), "--addr", "127.0.0.1:3100",
                "--metrics-addr", "127.0.0.1:3102", "--snapshot-path", snapshot.toString(), "--snapshot-interval", "1s")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Mesh.await("the discovery server listens", Duration.ofSeconds(60), () -> {
            try {
                new java.net.Socket("127.0.0.1", 3100).close();
                return Mesh.Seen.of(true, "");
            } catch (IOException e) {
                return Mesh.Seen.of(false, e + "\n" + read(log));
            }
        });
    }

    private void awaitSavedAffiliates(int n) throws InterruptedException {
        Mesh.await("a snapshot of " + n + " affiliates", Duration.ofSeconds(30), () -> Mesh.Seen.of(
                metric("discovery_storage_last_operation_affiliates\\{operation=\"save\"\\}") == n,
                "last saved: " + metric("discovery_storage_last_operation_affiliates\\{operation=\"save\"\\}")));
    }

    private static double metric(String regex) {
        try {
            String text = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:3102/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$").matcher(text);
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Mounts a tmpfs of {@code size} on {@code dir}, fills it, returns the filler. */
    private Path fullTmpfs(Path dir, String size) throws IOException {
        Files.createDirectories(dir);
        mount(dir, size);
        Path filler = dir.resolve("filler");
        fill(filler);
        return filler;
    }

    private void mount(Path dir, String size) {
        MeshLab.Result r = MeshLab.exec(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
                dir.toString()), Duration.ofSeconds(10));
        assertEquals(r.output(), 0, r.exit());
        mounts.add(dir);
    }

    /** Writes to {@code file} until the file system is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    private static java.net.InetAddress subnet() {
        try {
            return java.net.InetAddress.getByName("fd99:5::");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
