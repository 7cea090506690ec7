package dev.kubespan.wireguard.internal.userspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads what adoption needs from {@code /proc}: a process's argv and its network namespace. */
final class ProcFs {
    private final Path proc;

    ProcFs(Path proc) {
        this.proc = proc;
    }

    static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /** argv of the process, or empty when it is gone, a zombie or unreadable. */
    List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** {@code net:[inode]} of the process, or empty when unreadable. */
    Optional<String> netns(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(proc.resolve(Long.toString(pid)).resolve("ns/net")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** All process ids, for the fallback search when a pid file is missing. */
    List<Long> pids() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : dirs) {
                out.add(Long.parseLong(p.getFileName().toString()));
            }
        } catch (IOException e) {
            // nothing to search then
        }
        return out;
    }

    /**
     * Whether argv is a wireguard-go serving {@code link}: the program's file name is
     * {@code binaryName} and the last argument is the link (flags such as {@code -f} may precede it).
     */
    static boolean isWireGuardGoFor(List<String> argv, String binaryName, String link) {
        if (argv.size() < 2 || !argv.get(argv.size() - 1).equals(link)) {
            return false;
        }
        Path program = Path.of(argv.get(0)).getFileName();
        return program != null && program.toString().equals(binaryName);
    }
}
