package dev.kubespan.discovery.server.internal.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (client IP): {@code rate} tokens per second, at most {@code burst}
 * stored. A request reserves a token and is told how long to wait for it; a reservation that
 * would wait longer than the caller can afford is not taken (the request fails instead).
 */
public final class TokenBuckets {
    private final double ratePerSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updatedAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedAt = now;
        }
    }

    public TokenBuckets(double ratePerSecond, int burst, LongSupplier nanoTime) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    public TokenBuckets(double ratePerSecond, int burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    /**
     * Reserves one token for {@code key}. Returns the nanoseconds to wait before proceeding
     * (0 = now), or -1 when the wait would exceed {@code maxWaitNanos} (nothing is reserved).
     */
    public long reserve(String key, long maxWaitNanos) {
        long now = nanoTime.getAsLong();
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (b) {
            refill(b, now);
            double after = b.tokens - 1;
            long wait = after >= 0 ? 0 : (long) Math.ceil(-after * 1e9 / ratePerSecond);
            if (wait > maxWaitNanos) {
                return -1;
            }
            b.tokens = after;
            return wait;
        }
    }

    /** Gives back a token taken by {@link #reserve} for a request that never ran (it was cancelled while waiting). */
    public void refund(String key) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        synchronized (b) {
            refill(b, now);
            b.tokens = Math.min(burst, b.tokens + 1);
        }
    }

    private void refill(Bucket b, long now) {
        long elapsed = now - b.updatedAt;
        if (elapsed > 0) {
            b.tokens = Math.min(burst, b.tokens + elapsed * ratePerSecond / 1e9);
            b.updatedAt = now;
        }
    }

    /** Forgets keys whose bucket is full again (they would start full anyway). */
    public int dropFull() {
        long now = nanoTime.getAsLong();
        int before = buckets.size();
        buckets.entrySet().removeIf(e -> {
            Bucket b = e.getValue();
            synchronized (b) {
                refill(b, now);
                return b.tokens >= burst;
            }
        });
        return before - buckets.size();
    }

    public int size() {
        return buckets.size();
    }
}
