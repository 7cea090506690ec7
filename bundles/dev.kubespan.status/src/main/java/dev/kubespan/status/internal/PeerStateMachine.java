package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;

/**
 * The peer state of docs/kubespan-node.md §4.3, and the instants at which it can next change by the
 * passing of time alone (so the controller can wake exactly then instead of at the next tick).
 */
final class PeerStateMachine {
    /**
     * How long after a boundary to wake. The boundaries are exclusive on one side (at exactly
     * {@code T0 + peerDownInterval} the middle branch still applies), and the scheduler's clock is
     * not the wall clock, so waking a little late guarantees the boundary has been crossed.
     */
    static final Duration WAKE_MARGIN = Duration.ofMillis(5);

    private final Duration downInterval;
    private final Duration connectionTimeout;

    PeerStateMachine(Duration downInterval, Duration connectionTimeout) {
        this.downInterval = downInterval;
        this.connectionTimeout = connectionTimeout;
    }

    /**
     * @param lastEndpointChange T0, zero when this node never chose an endpoint
     * @param lastHandshake zero when there was none
     * @param lastUsedEndpoint empty when this node never chose an endpoint
     */
    PeerState stateOf(Instant lastEndpointChange, Instant lastHandshake, String lastUsedEndpoint, Instant now) {
        Duration sinceEndpoint = Duration.between(lastEndpointChange, now);
        Duration sinceHandshake = Duration.between(lastHandshake, now);
        boolean handshakeAfterChange = !Times.isZero(lastHandshake) && lastHandshake.isAfter(lastEndpointChange);
        PeerState state;
        if (sinceEndpoint.compareTo(downInterval) > 0) {
            state = !Times.isZero(lastHandshake) && sinceHandshake.compareTo(downInterval) < 0 ? PeerState.UP
                    : PeerState.DOWN;
        } else if (sinceEndpoint.compareTo(connectionTimeout) < 0) {
            state = handshakeAfterChange ? PeerState.UP : PeerState.UNKNOWN;
        } else {
            state = handshakeAfterChange ? PeerState.UP : PeerState.DOWN;
        }
        if (state == PeerState.DOWN && lastUsedEndpoint.isEmpty()) {
            state = PeerState.UNKNOWN;
        }
        return state;
    }

    /**
     * The earliest instant after {@code now} at which {@link #stateOf} may give a different
     * answer without new input: just past {@code T0 + connectionTimeout} while no handshake
     * followed T0 (unknown → down), or just past {@code lastHandshake + downInterval} (up → down).
     * Crossing {@code T0 + downInterval} alone never changes the answer: a handshake after T0 is
     * younger than the down interval there, and one before T0 is older.
     */
    Optional<Instant> nextWake(Instant lastEndpointChange, Instant lastHandshake, Instant now) {
        boolean handshakeAfterChange = !Times.isZero(lastHandshake) && lastHandshake.isAfter(lastEndpointChange);
        Stream<Instant> fromChange = Times.isZero(lastEndpointChange) || handshakeAfterChange ? Stream.empty()
                : Stream.of(lastEndpointChange.plus(connectionTimeout));
        Stream<Instant> fromHandshake = Times.isZero(lastHandshake) ? Stream.empty()
                : Stream.of(lastHandshake.plus(downInterval));
        return Stream.concat(fromChange, fromHandshake)
                .map(t -> t.plus(WAKE_MARGIN))
                .filter(t -> t.isAfter(now))
                .min(Instant::compareTo);
    }
}
