package dev.kubespan.wireguard.internal.userspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code <runtime dir>/<link>.pid}: the wireguard-go we started for a link, so that the next
 * instance (after a bundle update or a container restart) can find and adopt it. A pid alone is
 * not trusted: adoption checks the process's argv and network namespace too.
 */
final class PidFiles {
    private static final String SUFFIX = ".pid";
    private final Path dir;

    PidFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path logFile(String link) {
        return dir.resolve(link + ".log");
    }

    void write(String link, long pid) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(link + SUFFIX + ".tmp");
        Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(link + SUFFIX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    OptionalLong read(String link) {
        try {
            String s = Files.readString(dir.resolve(link + SUFFIX), StandardCharsets.US_ASCII).trim();
            return s.matches("\\d{1,10}") ? OptionalLong.of(Long.parseLong(s)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    void delete(String link) {
        try {
            Files.deleteIfExists(dir.resolve(link + SUFFIX));
        } catch (IOException e) {
            // a stale pid file is harmless: adoption verifies the process
        }
    }

    /** Links that have a pid file. */
    List<String> links() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                out.add(name.substring(0, name.length() - SUFFIX.length()));
            }
        } catch (IOException e) {
            // nothing to adopt then
        }
        out.sort(null);
        return out;
    }

    /** The last few hundred bytes of the daemon's output, for error messages. */
    String logTail(String link) {
        try {
            byte[] all = Files.readAllBytes(logFile(link));
            int from = Math.max(0, all.length - 400);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8).strip().replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
