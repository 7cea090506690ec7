package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * {@code scripts/demo} as a user runs it (two nodes, no shell at the end), with its temporary
 * folder pointed at an empty directory: after a good run, a failed one and one interrupted as
 * Ctrl-C would, nothing of it is left there. (Before: the demo set its clean-up trap and then
 * exec'd, so every run left its work folder, about 280 MB for three nodes, in /tmp.)
 */
public class DemoE2EIT {
    private Path tmp;
    private Path demo;
    private Path dist;

    @Before
    public void setUp() throws IOException {
        Path root = Path.of(System.getProperty("kubespan.itest.root"));
        demo = root.resolve("scripts/demo");
        dist = Path.of(System.getProperty("kubespan.itest.dist"));
        tmp = Path.of(System.getProperty("kubespan.itest.workdir"), "demo-tmp");
        Files.createDirectories(tmp);
        assertEquals("an empty temporary folder to start with", List.of(), entries());
    }

    @After
    public void tearDown() throws Exception {
        MeshLab.exec(List.of("rm", "-rf", tmp.toString()), Duration.ofSeconds(60));
    }

    @Test
    public void theDemoLeavesNothingBehindWhetherItSucceedsFailsOrIsInterrupted() throws Exception {
        long t0 = System.nanoTime();
        MeshLab.Result ok = run("--no-shell", "--nodes", "2", "--timeout", "120");
        assertEquals(ok.output(), 0, ok.exit());
        assertTrue(ok.output(), ok.output().contains("full mesh after"));
        assertTrue(ok.output(), ok.output().contains("== ping6 over the KubeSpan addresses"));
        assertEquals("after a good run", List.of(), entries());
        Figures.record("demo (2 nodes) start to end", Figures.seconds(System.nanoTime() - t0));

        // A run that fails half-way: a distribution whose discovery server cannot start (a mesh is
        // now complete well within a second, so a short --timeout no longer makes a run fail).
        Path broken = Path.of(System.getProperty("kubespan.itest.workdir"), "demo-broken-dist");
        MeshLab.exec(List.of("rm", "-rf", broken.toString()), Duration.ofSeconds(60));
        assertEquals(0, MeshLab.exec(List.of("cp", "-as", dist.toString(), broken.toString()), Duration.ofSeconds(60)).exit());
        Path discovery = broken.resolve("bin/kubespan-discovery");
        Files.delete(discovery);
        Files.writeString(discovery, "#!/bin/sh\necho 'kubespan-discovery: broken on purpose' >&2\nexit 1\n");
        discovery.toFile().setExecutable(true);
        MeshLab.Result failed = MeshLab.exec(List.of("env", "TMPDIR=" + tmp, "KUBESPAN_DIST=" + broken, demo.toString(),
                "--no-shell", "--nodes", "2", "--timeout", "60"), Duration.ofMinutes(4));
        assertNotEquals(failed.output(), 0, failed.exit());
        assertTrue(failed.output(), failed.output().contains("discovery server did not start"));
        assertEquals("after a failed run", List.of(), entries());
        MeshLab.exec(List.of("rm", "-rf", broken.toString()), Duration.ofSeconds(60));

        // Ctrl-C: SIGINT to the demo's whole process group, while its nodes start.
        Path log = Files.createTempFile("demo", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of("setsid", demo.toString(), "--no-shell", "--nodes", "2"))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("TMPDIR", tmp.toString());
            pb.environment().put("KUBESPAN_DIST", dist.toString());
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("starting node1") && System.nanoTime() < deadline) {
                assertTrue(Files.readString(log), p.isAlive());
                Thread.sleep(100);
            }
            assertTrue("its work folder exists while it runs: " + entries(), !entries().isEmpty());
            MeshLab.exec(List.of("kill", "-INT", "--", "-" + p.pid()), Duration.ofSeconds(10));
            assertTrue("the demo ends on Ctrl-C", p.waitFor(60, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            assertEquals("after Ctrl-C:\n" + Files.readString(log), List.of(), entries());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private MeshLab.Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "TMPDIR=" + tmp, "KUBESPAN_DIST=" + dist, demo.toString()));
        cmd.addAll(List.of(args));
        return MeshLab.exec(cmd, Duration.ofMinutes(4));
    }

    private List<String> entries() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
