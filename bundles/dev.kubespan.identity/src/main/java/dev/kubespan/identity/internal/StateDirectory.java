package dev.kubespan.identity.internal;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Where the state files live when the configuration does not say. */
final class StateDirectory {
    static final String STATE_DIR_PROPERTY = "kubespan.state.dir";
    static final String HOME_PROPERTY = "kubespan.home";

    private StateDirectory() {
    }

    /**
     * {@code configured} if set, else framework property {@code kubespan.state.dir}, else
     * {@code ${kubespan.home}/data/state}, else {@code data/state} (relative to the working
     * directory, which the launch script sets to the installation).
     */
    static Path resolve(String configured, UnaryOperator<String> frameworkProperty) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String dir = frameworkProperty.apply(STATE_DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir.trim());
        }
        String home = frameworkProperty.apply(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            return Path.of(home.trim(), "data", "state");
        }
        return Path.of("data", "state");
    }
}
