package dev.kubespan.discovery.service.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Jittered exponential backoff as the Talos discovery client uses it (discovery-protocol.md
 * §5.1): the base interval starts at 0.5 s and grows ×1.5 per attempt up to 60 s; each delay is
 * the base ±50 %, never above 60 s. It never gives up. Not thread-safe (one client loop owns it).
 */
public final class Backoff {
    public static final Duration INITIAL = Duration.ofMillis(500);
    public static final Duration MAX = Duration.ofSeconds(60);
    public static final double MULTIPLIER = 1.5;
    public static final double JITTER = 0.5;

    private final DoubleSupplier random;
    private double baseMillis = INITIAL.toMillis();

    /** @param random uniform values in [0, 1) */
    public Backoff(DoubleSupplier random) {
        this.random = random;
    }

    /** The next delay; advances the base interval. */
    public Duration next() {
        double r = random.getAsDouble();
        double delay = baseMillis * (1 - JITTER + 2 * JITTER * r);
        baseMillis = Math.min(baseMillis * MULTIPLIER, MAX.toMillis());
        return Duration.ofMillis(Math.round(Math.min(delay, MAX.toMillis())));
    }

    /** Back to the initial interval, after a successful exchange. */
    public void reset() {
        baseMillis = INITIAL.toMillis();
    }
}
