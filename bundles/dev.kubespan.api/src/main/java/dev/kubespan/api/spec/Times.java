package dev.kubespan.api.spec;

import java.time.Instant;

/** Talos' zero timestamp, used where no time is known yet. */
public final class Times {
    public static final Instant ZERO = Instant.parse("0001-01-01T00:00:00Z");

    private Times() {
    }

    public static Instant orZero(Instant t) {
        return t == null ? ZERO : t;
    }

    public static boolean isZero(Instant t) {
        return t == null || ZERO.equals(t);
    }
}
