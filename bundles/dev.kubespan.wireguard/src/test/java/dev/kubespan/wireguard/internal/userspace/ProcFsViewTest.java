package dev.kubespan.wireguard.internal.userspace;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@link ProcFs} on hand-made {@code /proc} trees (the files and links it reads, laid out as the
 * kernel does): our own namespace's, an ancestor's (pids translated through NSpid), one that
 * does not show us; thread ids and zombies are not live processes.
 */
public class ProcFsViewTest {
    private static final String OUR_PIDNS = "pid:[4026532100]";
    private static final String OTHER_PIDNS = "pid:[4026532200]";
    private Path proc;

    @Before
    public void setUp() throws IOException {
        proc = Files.createTempDirectory("ks-fake-proc");
    }

    @After
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(proc)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** An entry named {@code dir}: its status (Pid, Tgid, NSpid), stat, cmdline and namespace links. */
    private void entry(long dir, long tgid, String nspid, String pidNs, char state, long start, String... argv)
            throws IOException {
        Path d = Files.createDirectories(proc.resolve(Long.toString(dir)));
        Files.writeString(d.resolve("status"), "Name:\tx\nTgid:\t" + tgid + "\nPid:\t" + dir + "\nNSpid:\t" + nspid + "\n");
        Files.writeString(d.resolve("stat"), dir + " (x y) " + state + " 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + start
                + " 1000 10\n");
        Files.writeString(d.resolve("cmdline"), String.join("\0", argv) + (argv.length > 0 ? "\0" : ""));
        Files.createDirectories(d.resolve("ns"));
        Files.createSymbolicLink(d.resolve("ns/pid"), Path.of(pidNs));
        Files.createSymbolicLink(d.resolve("ns/net"), Path.of("net:[4026532300]"));
    }

    private void self(long dir) throws IOException {
        Files.createSymbolicLink(proc.resolve("self"), Path.of(Long.toString(dir)));
    }

    @Test
    public void ownProcShowsPidsAsTheyAreButNotThreadIdsOrZombies() throws IOException {
        entry(1, 1, "1", OUR_PIDNS, 'S', 100, "java", "agent");
        entry(23, 23, "23", OUR_PIDNS, 'S', 500, "wireguard-go", "kubespan");
        entry(24, 1, "24", OUR_PIDNS, 'S', 510, "java", "agent"); // a thread of the JVM
        entry(25, 25, "25", OUR_PIDNS, 'Z', 520);
        self(1);
        ProcFs fs = new ProcFs(proc, 1);
        assertTrue(fs.view().own());
        assertEquals(Optional.empty(), fs.viewProblem());
        assertEquals(List.of("wireguard-go", "kubespan"), fs.cmdline(23));
        assertEquals(OptionalLong.of(500), fs.startTicks(23));
        assertEquals("a thread id is no process", List.of(), fs.cmdline(24));
        assertEquals(OptionalLong.empty(), fs.startTicks(24));
        assertEquals("a zombie is not running", OptionalLong.empty(), fs.startTicks(25));
        assertEquals(OptionalLong.empty(), fs.startTicks(99));
    }

    @Test
    public void anAncestorsProcIsReadThroughNspidAndOnlyForOurNamespace() throws IOException {
        // the enclosing namespace: its init, a stranger on our daemon's number, our JVM and our daemon
        entry(1, 1, "1", OTHER_PIDNS, 'S', 10, "sh");
        entry(23, 23, "23", OTHER_PIDNS, 'S', 20, "sleep", "600");
        entry(430, 430, "430 1", OUR_PIDNS, 'S', 400, "java", "agent");
        entry(455, 455, "455 23", OUR_PIDNS, 'S', 600, "wireguard-go", "kubespan");
        // a sibling namespace at the same depth with the same number: not ours
        entry(460, 460, "460 24", OTHER_PIDNS, 'S', 610, "wireguard-go", "kubespan");
        self(430);
        ProcFs fs = new ProcFs(proc, 1);
        assertFalse(fs.view().own());
        assertTrue(fs.view().usable());
        assertTrue(fs.viewProblem().orElseThrow(), fs.viewProblem().orElseThrow().contains("ancestor PID namespace"));
        assertEquals("our 23 is the daemon, not the stranger /proc/23", List.of("wireguard-go", "kubespan"), fs.cmdline(23));
        assertEquals(OptionalLong.of(600), fs.startTicks(23));
        assertEquals(Optional.of("net:[4026532300]"), fs.netns(23));
        assertEquals("a sibling namespace's 24 is not our 24", List.of(), fs.cmdline(24));
        assertEquals(List.of(1L, 23L), fs.pids().stream().sorted().toList());
    }

    @Test
    public void aProcThatDoesNotShowUsFindsNothing() throws IOException {
        entry(1, 1, "1", OTHER_PIDNS, 'S', 10, "sh");
        entry(23, 23, "23", OTHER_PIDNS, 'S', 20, "wireguard-go", "kubespan");
        ProcFs fs = new ProcFs(proc, 7); // no /proc/self: this /proc is a descendant's
        assertFalse(fs.view().usable());
        assertTrue(fs.viewProblem().orElseThrow(), fs.viewProblem().orElseThrow().contains("cannot be adopted"));
        assertEquals(List.of(), fs.cmdline(23));
        assertEquals(List.of(), fs.pids());
    }
}
