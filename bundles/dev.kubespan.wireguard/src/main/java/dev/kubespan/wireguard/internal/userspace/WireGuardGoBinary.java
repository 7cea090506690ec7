package dev.kubespan.wireguard.internal.userspace;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;

/** Finds the wireguard-go executable: the configured path, else the first one on PATH. */
final class WireGuardGoBinary {
    static final String NAME = "wireguard-go";

    private WireGuardGoBinary() {
    }

    static Path find(String configuredPath, String pathEnv) {
        if (configuredPath != null && !configuredPath.isBlank()) {
            Path p = Path.of(configuredPath.trim());
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
            throw new WireGuardException("wireguard-go not found: wireguardgo.path '" + configuredPath
                    + "' is not an executable file", Errno.ENOENT);
        }
        String path = pathEnv == null ? "" : pathEnv;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, NAME);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new WireGuardException("wireguard-go not found: wireguardgo.path is not set and there is no executable '"
                + NAME + "' on PATH (" + path + "); install wireguard-go or set wireguardgo.path", Errno.ENOENT);
    }
}
