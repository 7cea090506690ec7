package dev.kubespan.wireguard.internal.userspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import dev.kubespan.wireguard.internal.LinkFiles;

/**
 * {@code <runtime dir>/<link>.pid}: the wireguard-go we started for a link, so that the next
 * instance (after a bundle update or a container restart) can find and adopt it. A pid alone is
 * not trusted: adoption checks the process's argv and network namespace too.
 */
final class PidFiles {
    private final LinkFiles files;

    PidFiles(Path dir) {
        this.files = new LinkFiles(dir, ".pid");
    }

    Path dir() {
        return files.dir();
    }

    Path logFile(String link) {
        return files.dir().resolve(link + ".log");
    }

    void write(String link, long pid) throws IOException {
        files.write(link, pid + "\n");
    }

    OptionalLong read(String link) {
        return files.read(link).map(String::trim).filter(s -> s.matches("\\d{1,10}"))
                .map(s -> OptionalLong.of(Long.parseLong(s))).orElse(OptionalLong.empty());
    }

    void delete(String link) {
        files.delete(link);
    }

    /** Links that have a pid file. */
    List<String> links() {
        return files.links();
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
