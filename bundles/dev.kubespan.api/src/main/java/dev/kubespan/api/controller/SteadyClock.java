package dev.kubespan.api.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A clock that is never stepped: the wall clock at its origin plus the monotonic time since. For
 * ages and deadlines kept as instants (the status controller's handshake ages, the relay's
 * refreshes), which a step of the wall clock (an operator's {@code date -s}, a first NTP sync)
 * must neither move by the step nor make all due at once. Until a step it agrees with the wall
 * clock; an instant of it is shown to users only after conversion ({@link #toWall}).
 */
public final class SteadyClock extends Clock {
    private final Instant origin;
    private final long originNanos;
    private final LongSupplier nanoTime;

    /**
     * @param wallNow  the wall clock at the origin
     * @param nanoNow  the monotonic clock read together with it
     * @param nanoTime the monotonic clock ({@link System#nanoTime}, {@link Scheduler#nanoTime})
     */
    public SteadyClock(Instant wallNow, long nanoNow, LongSupplier nanoTime) {
        this.origin = wallNow;
        this.originNanos = nanoNow;
        this.nanoTime = nanoTime;
    }

    /** From now, on the system's clocks. */
    public static SteadyClock system() {
        return new SteadyClock(Instant.now(), System.nanoTime(), System::nanoTime);
    }

    @Override
    public Instant instant() {
        return at(nanoTime.getAsLong());
    }

    /** A reading {@code nanos} of the monotonic clock, as an instant of this clock. */
    public Instant at(long nanos) {
        return origin.plusNanos(nanos - originNanos);
    }

    /**
     * An instant of this clock on the wall clock {@code wall}: shifted by how far the wall clock was
     * stepped since the origin, in whole seconds (so that an instant shown twice is shown the same,
     * not off by the microseconds between two readings).
     */
    public Instant toWall(Instant steady, Clock wall) {
        if (steady == null) {
            return null;
        }
        long stepMillis = Duration.between(instant(), wall.instant()).toMillis();
        return steady.plusSeconds(Math.round(stepMillis / 1000.0));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
