package dev.kubespan.api;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * At most one line per key (e.g. per affiliate, per client address) per interval, for failures
 * that input from outside can repeat without end — a peer that keeps sending bad data, a scanner,
 * a collector that fails on every scrape — so none of them can flood the log. The next line after
 * a quiet period says how many were suppressed. Keys are bounded: the oldest are forgotten first,
 * so a stream of random keys cannot grow memory. Thread-safe. (A failure that repeats in the
 * passes of a controller is reported once by the controller runtime and {@code ctx.log()}.)
 */
public final class RateLimitedLog {
    private final Consumer<String> sink;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final int maxKeys;
    private final LinkedHashMap<String, long[]> seen = new LinkedHashMap<>(16, 0.75f, true);

    /** @param sink where {@link #log} writes, e.g. {@code log::warn} */
    public RateLimitedLog(Consumer<String> sink, LongSupplier nanoTime, Duration interval, int maxKeys) {
        this.sink = sink;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.maxKeys = maxKeys;
    }

    /** Logs {@code message} to the sink unless this key logged within the interval; returns whether it did. */
    public boolean log(String key, String message) {
        Optional<String> line = admit(key, message);
        line.ifPresent(sink);
        return line.isPresent();
    }

    /**
     * The line to log for {@code message} — with the count of those suppressed since the last one —
     * or empty when this key logged within the interval. For a line that goes elsewhere than the
     * sink, e.g. an error with its cause: {@code admit(k, m).ifPresent(l -> log.error(l, e))}.
     */
    public Optional<String> admit(String key, String message) {
        synchronized (seen) {
            long now = nanoTime.getAsLong();
            long[] s = seen.get(key);
            if (s != null && now - s[0] < intervalNanos) {
                s[1]++;
                return Optional.empty();
            }
            long suppressed = s == null ? 0 : s[1];
            seen.put(key, new long[] { now, 0 });
            if (seen.size() > maxKeys) {
                Iterator<Map.Entry<String, long[]>> it = seen.entrySet().iterator();
                it.next();
                it.remove();
            }
            return Optional.of(suppressed == 0 ? message : message + " (" + suppressed + " similar messages suppressed)");
        }
    }
}
