package dev.kubespan.discovery.server.internal.limit;

import static org.junit.Assert.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class TokenBucketsTest {
    private final AtomicLong nanos = new AtomicLong();
    private final TokenBuckets buckets = new TokenBuckets(15, 60, nanos::get);

    @Test
    public void burstIsFreeThenRequestsWaitAtTheRate() {
        for (int i = 0; i < 60; i++) {
            assertEquals(0, buckets.reserve("ip", 0));
        }
        assertEquals(-1, buckets.reserve("ip", 0)); // no wait allowed: refused
        long wait = buckets.reserve("ip", Long.MAX_VALUE);
        assertEquals(66_666_667L, wait);
        long second = buckets.reserve("ip", Long.MAX_VALUE); // queued behind the first
        assertEquals(133_333_334L, second);
        assertEquals(0, buckets.reserve("other-ip", 0)); // separate bucket
    }

    @Test
    public void refillsOverTimeAndFullBucketsAreDropped() {
        for (int i = 0; i < 60; i++) {
            buckets.reserve("ip", 0);
        }
        nanos.addAndGet(1_000_000_000L);
        for (int i = 0; i < 15; i++) {
            assertEquals(0, buckets.reserve("ip", 0));
        }
        assertEquals(-1, buckets.reserve("ip", 0));
        assertEquals(0, buckets.dropFull());
        nanos.addAndGet(10_000_000_000L);
        assertEquals(1, buckets.dropFull());
        assertEquals(0, buckets.size());
    }

    @Test
    public void aRefundGivesBackOneTokenUpToTheBurst() {
        for (int i = 0; i < 60; i++) {
            buckets.reserve("ip", 0);
        }
        assertEquals(66_666_667L, buckets.reserve("ip", Long.MAX_VALUE)); // in debt by one
        buckets.refund("ip");
        assertEquals(66_666_667L, buckets.reserve("ip", Long.MAX_VALUE)); // the same place again
        buckets.refund("ip");
        buckets.refund("ip");
        assertEquals(0, buckets.reserve("ip", 0));
        nanos.addAndGet(10_000_000_000L);
        buckets.refund("ip"); // already full: no 61st token
        for (int i = 0; i < 60; i++) {
            assertEquals(0, buckets.reserve("ip", 0));
        }
        assertEquals(-1, buckets.reserve("ip", 0));
        buckets.refund("unknown"); // nothing to give back to
        assertEquals(1, buckets.size());
    }
}
