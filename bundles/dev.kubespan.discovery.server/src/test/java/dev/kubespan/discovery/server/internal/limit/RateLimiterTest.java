package dev.kubespan.discovery.server.internal.limit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.After;
import org.junit.Test;

public class RateLimiterTest {
    private final AtomicLong nanos = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(new TokenBuckets(10, 2, nanos::get), Duration.ofSeconds(1), 3,
            "test-rate-limit");

    @After
    public void close() {
        limiter.close();
    }

    @Test
    public void burstNowThenWaitsUpToTheLongestWaitThenRefused() {
        assertEquals(0, limiter.admit("a", Long.MAX_VALUE).waitNanos());
        assertEquals(0, limiter.admit("a", Long.MAX_VALUE).waitNanos());
        RateLimiter.Ticket first = limiter.admit("a", Long.MAX_VALUE);
        assertNull(first.refusal());
        assertEquals(100_000_000L, first.waitNanos());
        assertEquals(1, limiter.waiting());
        // a deadline shorter than the wait: refused, nothing taken
        assertEquals(RateLimiter.Refusal.TOO_LATE, limiter.admit("a", 150_000_000L).refusal());
        assertEquals(200_000_000L, limiter.admit("a", Long.MAX_VALUE).waitNanos());
        assertEquals(300_000_000L, limiter.admit("a", Long.MAX_VALUE).waitNanos());
        // the queue holds 3 waiting calls
        assertEquals(RateLimiter.Refusal.QUEUE_FULL, limiter.admit("a", Long.MAX_VALUE).refusal());
        assertEquals(3, limiter.waiting());
        assertEquals(0, limiter.admit("b", Long.MAX_VALUE).waitNanos()); // another client's bucket
    }

    @Test
    public void theLongestWaitBoundsOneClientsQueue() {
        RateLimiter wide = new RateLimiter(new TokenBuckets(10, 1, nanos::get), Duration.ofSeconds(1), 1000, "test-wide");
        try {
            int waiting = 0;
            int refused = 0;
            for (int i = 0; i < 100; i++) {
                RateLimiter.Ticket t = wide.admit("a", Long.MAX_VALUE);
                if (t.refusal() != null) {
                    refused++;
                } else if (t.waitNanos() > 0) {
                    waiting++;
                }
            }
            assertEquals(10, waiting); // one second of tokens at 10/s
            assertEquals(89, refused);
        } finally {
            wide.close();
        }
    }

    @Test
    public void aCancelledTicketGivesItsTokenBackAndNeverStarts() throws Exception {
        limiter.admit("a", Long.MAX_VALUE);
        limiter.admit("a", Long.MAX_VALUE);
        RateLimiter.Ticket t = limiter.admit("a", Long.MAX_VALUE);
        CountDownLatch due = new CountDownLatch(1);
        t.whenDue(due::countDown);
        assertTrue(t.cancel());
        assertFalse(t.cancel());
        assertFalse(t.start());
        assertEquals(0, limiter.waiting());
        // the token is back: the next call waits as long as the cancelled one would have
        assertEquals(100_000_000L, limiter.admit("a", Long.MAX_VALUE).waitNanos());
        assertFalse(due.await(300, TimeUnit.MILLISECONDS));
    }

    @Test
    public void aDueTicketRunsOnTheTimerAndCannotBeCancelledAfterItStarted() throws Exception {
        limiter.admit("a", Long.MAX_VALUE);
        limiter.admit("a", Long.MAX_VALUE);
        RateLimiter.Ticket t = limiter.admit("a", Long.MAX_VALUE);
        CountDownLatch started = new CountDownLatch(1);
        String[] thread = new String[1];
        t.whenDue(() -> {
            if (t.start()) {
                thread[0] = Thread.currentThread().getName();
                started.countDown();
            }
        });
        assertTrue(started.await(2, TimeUnit.SECONDS));
        assertEquals("test-rate-limit", thread[0]);
        assertFalse(t.cancel());
        assertEquals(0, limiter.waiting());
    }
}
