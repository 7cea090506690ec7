package dev.kubespan.discovery.server.internal.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Calls in progress per key (client IP), capped; a key is forgotten when its last call ends. */
public final class ActiveCalls {
    private final int maxPerKey;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    public ActiveCalls(int maxPerKey) {
        if (maxPerKey < 1) {
            throw new IllegalArgumentException("the cap of calls per client must be at least 1");
        }
        this.maxPerKey = maxPerKey;
    }

    /** Counts a new call of {@code key}; false (nothing counted) when the key is at its cap. */
    public boolean tryAcquire(String key) {
        boolean[] admitted = {false};
        counts.compute(key, (k, v) -> {
            int n = v == null ? 0 : v;
            if (n >= maxPerKey) {
                return v;
            }
            admitted[0] = true;
            return n + 1;
        });
        if (admitted[0]) {
            total.incrementAndGet();
        }
        return admitted[0];
    }

    /** Ends a call counted by {@link #tryAcquire}. */
    public void release(String key) {
        counts.computeIfPresent(key, (k, v) -> v <= 1 ? null : v - 1);
        total.decrementAndGet();
    }

    public int total() {
        return total.get();
    }

    public int of(String key) {
        return counts.getOrDefault(key, 0);
    }
}
