package dev.kubespan.wireguard.internal.userspace;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the userspace backend runs wireguard-go.
 *
 * @param wireguardGoPath configured executable, or empty to search PATH
 * @param runtimeDir where pid files and daemon logs go ({@code /run/kubespan})
 * @param socketDir where wireguard-go puts its UAPI sockets ({@code /var/run/wireguard})
 * @param launchPrefix argv put in front of wireguard-go; empty in production, e.g.
 *        {@code ip netns exec <ns>} in tests (it must exec, so the child's pid is the daemon's)
 * @param startTimeout how long to wait for the UAPI socket after starting
 * @param stopGrace how long SIGTERM gets before SIGKILL
 * @param firstBackoff delay before the first restart of a daemon that died
 * @param maxBackoff the longest delay between restarts
 */
public record UserspaceSettings(String wireguardGoPath, Path runtimeDir, Path socketDir, List<String> launchPrefix,
        Duration startTimeout, Duration stopGrace, Duration firstBackoff, Duration maxBackoff) {

    public static final Path DEFAULT_SOCKET_DIR = Path.of("/var/run/wireguard");
    public static final Path DEFAULT_RUNTIME_DIR = Path.of("/run/kubespan");

    public UserspaceSettings {
        wireguardGoPath = wireguardGoPath == null ? "" : wireguardGoPath;
        Objects.requireNonNull(runtimeDir, "runtimeDir");
        Objects.requireNonNull(socketDir, "socketDir");
        launchPrefix = launchPrefix == null ? List.of() : List.copyOf(launchPrefix);
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(stopGrace, "stopGrace");
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
    }

    public static UserspaceSettings defaults(String wireguardGoPath, Path runtimeDir) {
        return new UserspaceSettings(wireguardGoPath, runtimeDir, DEFAULT_SOCKET_DIR, List.of(), Duration.ofSeconds(5),
                Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public UserspaceSettings withLaunchPrefix(List<String> prefix) {
        return new UserspaceSettings(wireguardGoPath, runtimeDir, socketDir, prefix, startTimeout, stopGrace,
                firstBackoff, maxBackoff);
    }

    public UserspaceSettings withBackoff(Duration first, Duration max) {
        return new UserspaceSettings(wireguardGoPath, runtimeDir, socketDir, launchPrefix, startTimeout, stopGrace,
                first, max);
    }
}
