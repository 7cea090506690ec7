package dev.kubespan.api.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.Test;

public class SteadyClockTest {
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    public void movesWithTheMonotonicClockOnly() {
        long[] nanos = { 5_000 };
        SteadyClock steady = new SteadyClock(T, nanos[0], () -> nanos[0]);
        assertEquals(T, steady.instant());
        nanos[0] += Duration.ofSeconds(90).toNanos();
        assertEquals(T.plusSeconds(90), steady.instant());
        assertEquals(T.plusSeconds(30), steady.at(5_000 + Duration.ofSeconds(30).toNanos()));
    }

    @Test
    public void showsItsInstantsOnAWallClockThatWasStepped() {
        long[] nanos = { 0 };
        SteadyClock steady = new SteadyClock(T, 0, () -> nanos[0]);
        nanos[0] = Duration.ofSeconds(10).toNanos();
        Instant deadline = steady.instant().plusSeconds(600);
        Clock steppedForward = Clock.fixed(T.plusSeconds(10).plus(Duration.ofHours(1)).plusMillis(3), ZoneOffset.UTC);
        assertEquals(deadline.plus(Duration.ofHours(1)), steady.toWall(deadline, steppedForward));
        Clock steppedBack = Clock.fixed(T.plusSeconds(10).minus(Duration.ofHours(1)), ZoneOffset.UTC);
        assertEquals(deadline.minus(Duration.ofHours(1)), steady.toWall(deadline, steppedBack));
        assertNull(steady.toWall(null, steppedBack));
    }
}
