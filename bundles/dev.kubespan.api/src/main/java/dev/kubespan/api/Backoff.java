package dev.kubespan.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Jittered exponential backoff: the base delay starts at {@code initial} and grows by
 * {@code multiplier} per attempt up to {@code max}; each delay is the base ± {@code jitter}
 * (a fraction), never above {@code max}. It never gives up. Not thread-safe: one loop owns it.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final double jitter;
    private final DoubleSupplier random;
    private double baseMillis;

    /** @param random uniform values in [0, 1) */
    public Backoff(Duration initial, Duration max, double multiplier, double jitter, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1
                || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, multiplier >= 1, 0 <= jitter < 1");
        }
        this.initial = initial;
        this.max = max;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = Objects.requireNonNull(random, "random");
        this.baseMillis = initial.toMillis();
    }

    /** With {@link ThreadLocalRandom} as the jitter source. */
    public Backoff(Duration initial, Duration max, double multiplier, double jitter) {
        this(initial, max, multiplier, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The next delay; advances the base interval. */
    public Duration next() {
        double r = random.getAsDouble();
        double delay = baseMillis * (1 - jitter + 2 * jitter * r);
        baseMillis = Math.min(baseMillis * multiplier, max.toMillis());
        return Duration.ofMillis(Math.round(Math.min(delay, max.toMillis())));
    }

    /** Back to the initial interval, after a success. */
    public void reset() {
        baseMillis = initial.toMillis();
    }
}
