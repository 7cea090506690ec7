package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.wireguard.Key;

/**
 * Whether a peer still sends us anything. Every KubeSpan peer (ours and Talos') keeps a
 * persistent keepalive of {@value #KEEPALIVE_SECONDS} s, so a live peer's packets reach us at
 * least that often and our receive counter for it grows. A counter that has not grown for
 * {@link #STALL_LIMIT} (two keepalives and a margin, so that one lost keepalive is no alarm)
 * while ours kept transmitting means the peer is gone, long before its last handshake turns
 * {@code peerDownInterval} old.
 *
 * <p>The counters are only seen when the device is polled: the time a growth was first seen is
 * a late estimate of the packet, so the stall measured from it is never longer than the real
 * one (no false alarm from polling), and up peers are polled every {@link #POLL} so the
 * estimate is at most that late. Kept in memory: after a restart the first poll is the new
 * baseline, and until the counters have been seen once the peer is judged by its handshake
 * alone (Talos' rule).
 */
final class ReceiveActivity {
    static final long KEEPALIVE_SECONDS = 25;
    static final Duration STALL_LIMIT = KubeSpanConfig.PERSISTENT_KEEPALIVE.multipliedBy(2).plusSeconds(5);
    /** How often the counters of up peers are read. */
    static final Duration POLL = Duration.ofSeconds(10);

    private record Seen(long rx, long txAtGrowth, Instant grewAt, long tx) {
    }

    private final Map<Key, Seen> seen = new HashMap<>();

    /** Records a poll of one peer's counters. */
    void observe(Key peer, long rx, long tx, Instant now) {
        Seen s = seen.get(peer);
        if (s == null || rx != s.rx) {
            // rx below the last value: the device was recreated and counts from zero again
            seen.put(peer, new Seen(rx, tx, now, tx));
        } else {
            seen.put(peer, new Seen(s.rx, s.txAtGrowth, s.grewAt, tx));
        }
    }

    /** Whether nothing arrived from the peer for longer than {@link #STALL_LIMIT} while we transmitted. */
    boolean stalled(Key peer, Instant now) {
        Seen s = seen.get(peer);
        return s != null && s.tx > s.txAtGrowth && Duration.between(s.grewAt, now).compareTo(STALL_LIMIT) > 0;
    }

    /** When the peer counts as stalled if nothing arrives meanwhile; empty when never seen. */
    Optional<Instant> stallDeadline(Key peer) {
        Seen s = seen.get(peer);
        return s == null ? Optional.empty() : Optional.of(s.grewAt.plus(STALL_LIMIT).plusMillis(1));
    }

    void retain(Set<Key> peers) {
        seen.keySet().retainAll(peers);
    }
}
