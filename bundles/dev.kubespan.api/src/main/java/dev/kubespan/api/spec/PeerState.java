package dev.kubespan.api.spec;

import java.util.Locale;

/** State of a KubeSpan peer link; the numbers are Talos' protobuf enum values. */
public enum PeerState {
    UNKNOWN(0), UP(1), DOWN(2);

    private final int number;

    PeerState(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
