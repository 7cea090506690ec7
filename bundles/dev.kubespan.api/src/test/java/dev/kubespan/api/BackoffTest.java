package dev.kubespan.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Random;

import org.junit.Test;

/** With the Talos discovery client's numbers: 0.5 s, ×1.5, up to 60 s, ±50 %. */
public class BackoffTest {
    private static Backoff talos(java.util.function.DoubleSupplier random) {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), 1.5, 0.5, random);
    }

    @Test(expected = IllegalArgumentException.class)
    public void nonsenseParametersAreRefused() {
        new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 1.5, 0.5);
    }

    @Test
    public void withoutJitterTheBaseGrowsByHalfUpToSixtySeconds() {
        Backoff b = talos(() -> 0.5);
        long[] expected = { 500, 750, 1125, 1688, 2531, 3797, 5695, 8543, 12814, 19222, 28833, 43249, 60000 };
        for (long e : expected) {
            assertEquals(e, b.next().toMillis(), 1);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(60000, b.next().toMillis());
        }
    }

    @Test
    public void jitterStaysWithinHalfOfTheBaseAndUnderTheCap() {
        Backoff low = talos(() -> 0.0);
        Backoff high = talos(() -> 0.999999);
        assertEquals(250, low.next().toMillis());
        assertEquals(750, high.next().toMillis());
        Random r = new Random(42);
        Backoff b = talos(r::nextDouble);
        double base = 500;
        for (int i = 0; i < 40; i++) {
            long d = b.next().toMillis();
            assertTrue(i + ": " + d, d >= Math.floor(base * 0.5) && d <= Math.min(Math.ceil(base * 1.5), 60000));
            base = Math.min(base * 1.5, 60000);
        }
    }

    @Test
    public void resetReturnsToTheInitialInterval() {
        Backoff b = talos(() -> 0.5);
        for (int i = 0; i < 10; i++) {
            b.next();
        }
        b.reset();
        assertEquals(Duration.ofMillis(500), b.next());
    }
}
