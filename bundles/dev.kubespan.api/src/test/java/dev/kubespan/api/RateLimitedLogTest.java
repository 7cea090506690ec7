package dev.kubespan.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class RateLimitedLogTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final RateLimitedLog log = new RateLimitedLog(lines::add, now::get, Duration.ofMinutes(10), 3);

    @Test
    public void oneLinePerKeyPerInterval() {
        assertTrue(log.log("a", "bad a"));
        assertFalse(log.log("a", "bad a"));
        assertFalse(log.log("a", "bad a"));
        assertTrue(log.log("b", "bad b"));
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertTrue(log.log("a", "bad a"));
        assertEquals(List.of("bad a", "bad b", "bad a (2 similar messages suppressed)"), lines);
    }

    @Test
    public void admitGivesTheLineForAnotherSink() {
        assertEquals(Optional.of("collector x failed"), log.admit("x", "collector x failed"));
        assertEquals(Optional.empty(), log.admit("x", "collector x failed"));
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertEquals(Optional.of("collector x failed (1 similar messages suppressed)"), log.admit("x", "collector x failed"));
        assertEquals("admit writes nothing to the sink", List.of(), lines);
    }

    @Test
    public void keysAreBounded() {
        log.log("a", "1");
        log.log("b", "2");
        log.log("c", "3");
        log.log("d", "4");
        // "a" was evicted as the oldest, so it logs again at once.
        assertTrue(log.log("a", "5"));
        assertFalse(log.log("d", "6"));
    }
}
