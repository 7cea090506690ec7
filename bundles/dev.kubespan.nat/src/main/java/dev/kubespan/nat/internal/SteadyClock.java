package dev.kubespan.nat.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that is never stepped: the wall clock at its creation plus the monotonic time since. For
 * deadlines kept as instants (the relay's refreshes and retransmissions), which a step of the wall
 * clock (an operator's {@code date -s}, a first NTP sync) must neither postpone by the step nor
 * make all due at once. An instant of it is shown to users only after conversion to the wall
 * clock ({@link #toWall}).
 */
final class SteadyClock extends Clock {
    private final Instant origin;
    private final long originNanos;

    SteadyClock() {
        origin = Instant.now();
        originNanos = System.nanoTime();
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(System.nanoTime() - originNanos);
    }

    /**
     * An instant of this clock on the wall clock {@code wall}: shifted by how far the wall clock was
     * stepped since this clock's creation, in whole seconds (so that an instant shown twice is shown
     * the same, not off by the microseconds between two readings).
     */
    Instant toWall(Instant steady, Clock wall) {
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
