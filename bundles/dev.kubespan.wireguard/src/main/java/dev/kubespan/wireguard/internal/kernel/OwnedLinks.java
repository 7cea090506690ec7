package dev.kubespan.wireguard.internal.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <runtime dir>/<link>.wireguard-link}: the kernel links this backend was asked to manage,
 * so that the next instance (after a bundle update or an agent restart) adopts exactly those and
 * never some other WireGuard link of the host. The kernel link itself outlives the JVM; the marker
 * lives in the same place as the userspace backend's pid files (a tmpfs that survives updates
 * and vanishes on reboot, like the link).
 */
final class OwnedLinks {
    static final String SUFFIX = ".wireguard-link";
    private final Path dir;

    OwnedLinks(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    void add(String link) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(link + SUFFIX);
        if (!Files.exists(marker)) {
            Files.writeString(marker, "kernel WireGuard link managed by KubeSpan\n");
        }
    }

    void remove(String link) {
        try {
            Files.deleteIfExists(dir.resolve(link + SUFFIX));
        } catch (IOException e) {
            // a stale marker is harmless: adoption checks that the link exists and is WireGuard
        }
    }

    /** The marked links, sorted. */
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
}
