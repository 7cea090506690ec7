package dev.kubespan.wireguard.internal.userspace;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.wireguard.WireGuardException;

/** The small pieces adoption and start-up rely on: argv matching, /proc reading, pid files, binary lookup. */
public class SupervisionHelpersTest {
    private Path dir;

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("ks-wg-test");
    }

    @After
    public void tearDown() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void argvMatchesWireGuardGoForTheLinkOnly() {
        assertTrue(ProcFs.isWireGuardGoFor(List.of("wireguard-go", "wgt1"), "wireguard-go", "wgt1"));
        assertTrue(ProcFs.isWireGuardGoFor(List.of("/usr/bin/wireguard-go", "-f", "wgt1"), "wireguard-go", "wgt1"));
        assertFalse(ProcFs.isWireGuardGoFor(List.of("wireguard-go", "wgt2"), "wireguard-go", "wgt1"));
        assertFalse(ProcFs.isWireGuardGoFor(List.of("vim", "wgt1"), "wireguard-go", "wgt1"));
        assertFalse(ProcFs.isWireGuardGoFor(List.of("wireguard-go"), "wireguard-go", "wireguard-go"));
        assertFalse("zombie or gone", ProcFs.isWireGuardGoFor(List.of(), "wireguard-go", "wgt1"));
        assertTrue(ProcFs.isWireGuardGoFor(List.of("/opt/wg/wg-go", "wgt1"), "wg-go", "wgt1"));
    }

    @Test
    public void procFsReadsArgvAndNamespaceOfARealProcess() {
        ProcFs proc = ProcFs.system();
        long self = ProcessHandle.current().pid();
        List<String> argv = proc.cmdline(self);
        assertTrue(argv.toString(), argv.get(0).endsWith("java"));
        assertTrue(proc.netns(self).orElseThrow().matches("net:\\[\\d+\\]"));
        assertTrue(proc.pids().contains(self));
        assertEquals(List.of(), proc.cmdline(Long.MAX_VALUE));
        assertTrue(proc.netns(Long.MAX_VALUE).isEmpty());
    }

    @Test
    public void pidFilesRoundTripAndListLinks() throws IOException {
        PidFiles files = new PidFiles(dir.resolve("run"));
        assertEquals(List.of(), files.links());
        files.write("wgt1", 1234);
        files.write("wgt2", 99);
        assertEquals(OptionalLong.of(1234), files.read("wgt1"));
        assertEquals(List.of("wgt1", "wgt2"), files.links());
        files.delete("wgt1");
        assertEquals(OptionalLong.empty(), files.read("wgt1"));
        Files.writeString(dir.resolve("run/wgt3.pid"), "not a pid", StandardCharsets.US_ASCII);
        assertEquals(OptionalLong.empty(), files.read("wgt3"));
    }

    @Test
    public void logTailIsShortAndOnOneLine() throws IOException {
        PidFiles files = new PidFiles(dir);
        Files.writeString(files.logFile("wgt1"), "x".repeat(1000) + "\nUAPI listen error: unix socket in use\n");
        String tail = files.logTail("wgt1");
        assertTrue(tail, tail.endsWith("UAPI listen error: unix socket in use"));
        assertTrue(tail.length() <= 400);
        assertFalse(tail.contains("\n"));
    }

    @Test
    public void binaryIsFoundOnPathOrAtTheConfiguredPath() throws IOException {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path exe = bin.resolve("wireguard-go");
        Files.writeString(exe, "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(exe, WireGuardGoBinary.find("", "/nonexistent:" + bin));
        assertEquals(exe, WireGuardGoBinary.find(exe.toString(), "/nonexistent"));
    }

    @Test
    public void missingBinaryErrorNamesBothPlaces() {
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> WireGuardGoBinary.find("", "/nonexistent1:/nonexistent2"));
        assertTrue(e.getMessage(), e.getMessage().contains("wireguardgo.path"));
        assertTrue(e.getMessage(), e.getMessage().contains("/nonexistent1:/nonexistent2"));

        e = assertThrows(WireGuardException.class, () -> WireGuardGoBinary.find("/nonexistent/wg-go", "/usr/bin"));
        assertTrue(e.getMessage(), e.getMessage().contains("/nonexistent/wg-go"));
    }

    @Test
    public void nonExecutableConfiguredPathIsRejected() throws IOException {
        Path f = dir.resolve("wireguard-go");
        Files.writeString(f, "not executable");
        assertThrows(WireGuardException.class, () -> WireGuardGoBinary.find(f.toString(), ""));
    }
}
