package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.Test;

import dev.kubespan.api.spec.Times;

/** Wall-clock values placed on the monotonic timeline: a step of the wall clock moves none of them. */
public class SteadyTimeTest {
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");
    private final SteadyTime timeline = new SteadyTime(T, 0);
    private final SteadyTime.Stamps<String> stamps = new SteadyTime.Stamps<>();

    /** Both clocks {@code seconds} after the start, the wall clock stepped by {@code step}. */
    private SteadyTime.Now at(long seconds, Duration step) {
        return new SteadyTime.Now(T.plusSeconds(seconds).plus(step), timeline.at(Duration.ofSeconds(seconds).toNanos()));
    }

    @Test
    public void aValueSeenFirstGetsItsWallClockAgeAndKeepsItsPlaceThroughSteps() {
        Instant hs = T.minusSeconds(40);
        assertEquals(T.minusSeconds(40), stamps.place("p", hs, at(0, Duration.ZERO)));
        assertEquals(T.minusSeconds(40), stamps.place("p", hs, at(10, Duration.ofHours(1))));
        assertEquals(T.minusSeconds(40), stamps.place("p", hs, at(20, Duration.ofHours(-1))));
    }

    @Test
    public void aValueInTheFutureIsJustNow() {
        assertEquals(T.plusSeconds(5), stamps.place("p", T.plusSeconds(3605), at(5, Duration.ZERO)));
    }

    @Test
    public void aNewValueIsNoOlderThanTheLastLook() {
        stamps.place("p", Times.ZERO, at(0, Duration.ZERO));
        // a handshake between the looks, reported on a clock an hour behind (the wall clock stepped forward since)
        Instant placed = stamps.place("p", T.plusSeconds(8), at(10, Duration.ofHours(1)));
        assertEquals("at most 10 s old: the previous look saw none", T, placed);
        stamps.place("p", T.plusSeconds(8), at(11, Duration.ofHours(1)));
        Instant next = stamps.place("p", T.plusSeconds(3600 + 19), at(20, Duration.ofHours(1)));
        assertEquals("the wall clock's age when it is within the bound", T.plusSeconds(19), next);
    }

    @Test
    public void zeroStaysZero() {
        assertEquals(Times.ZERO, stamps.place("p", Times.ZERO, at(3, Duration.ofHours(2))));
    }
}
