package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.wireguard.Key;

/**
 * Whether an up peer still answers, long before its last handshake turns
 * {@code peerDownInterval} old. A live peer's packets do not arrive at a steady pace: WireGuard
 * restarts the persistent-keepalive timer on every packet sent <em>or received</em>, so between
 * two nodes that both keep alive only one side ends up sending, and the other may hear nothing
 * for minutes. So silence alone proves nothing; an unanswered question does. When nothing came
 * from a peer for {@link #SUSPECT_AFTER}, it gets a {@link LivenessProbe} (and a second one
 * {@link #PROBE_AGAIN} later, in case the first was lost); a live peer answers within 10 s (its
 * passive keepalive), so no answer within {@link #ANSWER_WITHIN} of the first probe means the
 * peer is gone.
 *
 * <p>The counters are only seen when the device is polled, so the time a growth was first seen
 * is a late estimate of the packet: the silence measured from it is never longer than the real
 * one. Up peers are polled every {@link #POLL}, so a killed peer is seen down within about
 * {@code POLL + SUSPECT_AFTER + ANSWER_WITHIN} (56 s) of its last packet. Kept in memory: after a
 * restart the first poll is the new baseline.
 */
final class ReceiveActivity {
    static final Duration POLL = Duration.ofSeconds(10);
    /** Longer than a keepalive interval (25 s): a peer that keeps us alive is never asked. */
    static final Duration SUSPECT_AFTER = Duration.ofSeconds(30);
    static final Duration PROBE_AGAIN = Duration.ofSeconds(5);
    /** The passive keepalive (10 s) after the second probe, and a margin. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(16);

    enum Verdict {
        /** Heard from recently, or waiting for an answer. */
        FINE,
        /** Send a probe now. */
        PROBE,
        /** Probed and no answer: gone. */
        SILENT
    }

    private static final class Seen {
        long rx;
        Instant grewAt;
        Instant firstProbe;
        Instant lastProbe;

        Seen(long rx, Instant at) {
            this.rx = rx;
            this.grewAt = at;
        }
    }

    private final Map<Key, Seen> seen = new HashMap<>();

    /** Records a poll of one peer's receive counter. */
    void observe(Key peer, long rx, Instant now) {
        Seen s = seen.get(peer);
        if (s == null || rx != s.rx) {
            // rx below the last value: the device was recreated and counts from zero again
            seen.put(peer, new Seen(rx, now));
        }
    }

    /** Whether the peer's receive counter was first seen grown at a poll after {@code t}. */
    boolean grewAfter(Key peer, Instant t) {
        Seen s = seen.get(peer);
        return s != null && s.grewAt.isAfter(t);
    }

    /** What to do about an up peer now; a {@link Verdict#PROBE} is recorded as sent. */
    Verdict check(Key peer, Instant now) {
        Seen s = seen.get(peer);
        if (s == null || Duration.between(s.grewAt, now).compareTo(SUSPECT_AFTER) < 0) {
            return Verdict.FINE;
        }
        if (s.firstProbe == null) {
            s.firstProbe = now;
            s.lastProbe = now;
            return Verdict.PROBE;
        }
        if (Duration.between(s.firstProbe, now).compareTo(ANSWER_WITHIN) >= 0) {
            return Verdict.SILENT;
        }
        if (s.lastProbe.equals(s.firstProbe) && Duration.between(s.lastProbe, now).compareTo(PROBE_AGAIN) >= 0) {
            s.lastProbe = now;
            return Verdict.PROBE;
        }
        return Verdict.FINE;
    }

    /** When this up peer needs looking at again; null when never seen. */
    Instant nextCheck(Key peer) {
        Seen s = seen.get(peer);
        if (s == null) {
            return null;
        }
        if (s.firstProbe == null) {
            return s.grewAt.plus(SUSPECT_AFTER);
        }
        Instant judge = s.firstProbe.plus(ANSWER_WITHIN);
        Instant again = s.lastProbe.equals(s.firstProbe) ? s.lastProbe.plus(PROBE_AGAIN) : judge;
        return again.isBefore(judge) ? again : judge;
    }

    void retain(Set<Key> peers) {
        seen.keySet().retainAll(peers);
    }
}
