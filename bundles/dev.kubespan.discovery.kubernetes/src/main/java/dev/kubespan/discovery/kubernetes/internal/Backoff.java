package dev.kubespan.discovery.kubernetes.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Jittered exponential backoff for reconnecting to the API server: the base starts at 0.5 s and
 * grows ×1.5 per failure up to 30 s; each delay is the base ±50 %, so nodes that lost the API
 * server together do not come back in lock step. Not thread-safe (one loop owns it).
 */
public final class Backoff {
    static final Duration INITIAL = Duration.ofMillis(500);
    static final Duration MAX = Duration.ofSeconds(30);
    private static final double MULTIPLIER = 1.5;
    private static final double JITTER = 0.5;

    private final DoubleSupplier random;
    private double baseMillis = INITIAL.toMillis();

    /** @param random uniform values in [0, 1) */
    public Backoff(DoubleSupplier random) {
        this.random = random;
    }

    public Duration next() {
        double delay = baseMillis * (1 - JITTER + 2 * JITTER * random.getAsDouble());
        baseMillis = Math.min(baseMillis * MULTIPLIER, MAX.toMillis());
        return Duration.ofMillis(Math.round(Math.min(delay, MAX.toMillis())));
    }

    public void reset() {
        baseMillis = INITIAL.toMillis();
    }
}
