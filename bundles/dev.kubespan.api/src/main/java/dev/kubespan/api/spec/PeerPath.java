package dev.kubespan.api.spec;

import java.util.Locale;

/** How this node reaches a peer; shown in lower case ({@code direct}). */
public enum PeerPath {
    /** Straight to one of the peer's endpoints. */
    DIRECT,
    /** No working path yet; direct paths are being probed. */
    PROBING,
    /** Through a TURN relay. */
    RELAYED;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
