package dev.kubespan.discovery.service.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * At most one line per key (e.g. per affiliate) per interval, so one peer that keeps sending
 * bad data cannot flood the log. The next line after a quiet period says how many were
 * suppressed. Keys are bounded: the oldest are forgotten first, so a stream of random IDs
 * cannot grow memory. Thread-safe.
 */
public final class RateLimitedLog {
    private final Consumer<String> sink;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final int maxKeys;
    private final LinkedHashMap<String, long[]> seen = new LinkedHashMap<>(16, 0.75f, true);

    public RateLimitedLog(Consumer<String> sink, LongSupplier nanoTime, Duration interval, int maxKeys) {
        this.sink = sink;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.maxKeys = maxKeys;
    }

    /** Logs {@code message} unless this key logged within the interval; returns whether it did. */
    public boolean log(String key, String message) {
        String line;
        synchronized (seen) {
            long now = nanoTime.getAsLong();
            long[] s = seen.get(key);
            if (s != null && now - s[0] < intervalNanos) {
                s[1]++;
                return false;
            }
            long suppressed = s == null ? 0 : s[1];
            seen.put(key, new long[] { now, 0 });
            if (seen.size() > maxKeys) {
                Iterator<Map.Entry<String, long[]>> it = seen.entrySet().iterator();
                it.next();
                it.remove();
            }
            line = suppressed == 0 ? message : message + " (" + suppressed + " similar messages suppressed)";
        }
        sink.accept(line);
        return true;
    }
}
