package dev.kubespan.wireguard.internal.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.kubespan.wireguard.internal.LinkFiles;

/**
 * {@code <runtime dir>/<link>.wireguard-link}: the kernel links this backend was asked to manage,
 * so that the next instance (after a bundle update or an agent restart) adopts exactly those and
 * never some other WireGuard link of the host. The kernel link itself outlives the JVM; the marker
 * lives in the same place as the userspace backend's pid files (a tmpfs that survives updates
 * and vanishes on reboot, like the link).
 */
final class OwnedLinks {
    static final String SUFFIX = ".wireguard-link";
    private final LinkFiles files;

    OwnedLinks(Path dir) {
        this.files = new LinkFiles(dir, SUFFIX);
    }

    Path dir() {
        return files.dir();
    }

    void add(String link) throws IOException {
        if (files.read(link).isEmpty()) {
            files.write(link, "kernel WireGuard link managed by KubeSpan\n");
        }
    }

    void remove(String link) {
        files.delete(link);
    }

    /** The marked links, sorted. */
    List<String> links() {
        return files.links();
    }
}
