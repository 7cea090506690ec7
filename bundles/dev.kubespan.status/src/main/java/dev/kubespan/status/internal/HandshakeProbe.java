package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;

import dev.kubespan.api.spec.Times;

/**
 * How soon to look at the device again after a peer changed (it is new, or got a new endpoint):
 * no input of the status controller changes when a handshake completes, so it polls, first
 * every {@link #FIRST} and slower as time passes (never slower than {@link #SLOWEST}), until a
 * handshake newer than the change is seen or the connection timeout has passed. A peer that
 * handshakes is then {@code up} within {@link #SLOWEST} of it, not at the next tick.
 */
final class HandshakeProbe {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration SLOWEST = Duration.ofSeconds(1);

    private HandshakeProbe() {
    }

    /**
     * @param since when the peer last changed
     * @param lastHandshake zero when none
     * @return when to poll next, or null when the probe is over
     */
    static Instant next(Instant since, Instant lastHandshake, Duration connectionTimeout, Instant now) {
        if (Times.isZero(since) || (!Times.isZero(lastHandshake) && lastHandshake.isAfter(since))) {
            return null;
        }
        Duration elapsed = Duration.between(since, now);
        if (elapsed.compareTo(connectionTimeout) > 0) {
            return null;
        }
        Duration step = elapsed.dividedBy(3);
        if (step.compareTo(FIRST) < 0) {
            step = FIRST;
        } else if (step.compareTo(SLOWEST) > 0) {
            step = SLOWEST;
        }
        return now.plus(step);
    }
}
