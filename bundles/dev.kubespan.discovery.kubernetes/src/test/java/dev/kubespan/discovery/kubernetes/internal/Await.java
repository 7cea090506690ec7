package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.fail;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition that other threads make true; the limit only bounds a failing test (90 s:
 * on a machine loaded 8 times over its cores, reading a 20 MB answer and backing off took over 30 s).
 */
final class Await {
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private Await() {
    }

    static <T> T until(String what, Supplier<T> value, Predicate<T> ok) {
        long deadline = System.nanoTime() + LIMIT_NANOS;
        T v = value.get();
        while (!ok.test(v)) {
            if (System.nanoTime() - deadline > 0) {
                fail("not reached: " + what + "; last value: " + v);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            v = value.get();
        }
        return v;
    }

    static <T> T equal(String what, T expected, Supplier<T> value) {
        return until(what + " == " + expected, value, expected::equals);
    }
}
