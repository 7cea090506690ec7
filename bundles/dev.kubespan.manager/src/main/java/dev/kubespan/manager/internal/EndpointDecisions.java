package dev.kubespan.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;
import dev.kubespan.api.wireguard.Key;

/**
 * Turns the status controller's endpoint decisions into the device's peers. The status records a
 * decision as {@code lastUsedEndpoint} and its time {@code lastEndpointChange}; each decision is
 * written to the device once (again only if the device lost the peer). After that the device's endpoint is left alone, so an endpoint
 * WireGuard roamed to (the peer reached us from elsewhere) survives until the next decision.
 *
 * <p>Crossing first initiations: when both nodes add each other in the same instant, both send
 * a handshake initiation and the two can cross and cost a retry (5 s). So for a fresh decision
 * only the node with the smaller public key initiates at once; the other adds the peer without
 * a keepalive (it still answers) and turns the keepalive on — which sends one at once —
 * {@link #INITIATION_HOLD} later, if no handshake happened meanwhile.
 */
final class EndpointDecisions {
    static final Duration INITIATION_HOLD = Duration.ofMillis(250);

    /** Per peer, the time of the decision the device has. */
    private final Map<Key, Instant> applied = new HashMap<>();
    private final Map<Key, Instant> pass = new HashMap<>();

    /** Starts a pass: what is not asked for in it is forgotten once it is applied. */
    void begin() {
        pass.clear();
    }

    /**
     * The endpoint to write for a peer, or null to leave the device's.
     *
     * @param onDevice the endpoint the device has for the peer now, or null; {@code present} whether it has the peer
     */
    Endpoint endpoint(Key peer, KubeSpanPeerStatus status, boolean present, Endpoint onDevice) {
        Instant decided = status.lastEndpointChange();
        pass.put(peer, decided);
        // A decision the device has lost (a wireguard-go that was killed and restarted comes up
        // without peers) is written again at once: without it the peer would wait for a new
        // decision, a connection timeout and a probe later (issue 16: 5-15 s instead of < 1 s).
        if (status.lastUsedEndpoint().isEmpty() || (present && decided.equals(applied.get(peer)))) {
            return null;
        }
        Endpoint wanted;
        try {
            wanted = Endpoint.parse(status.lastUsedEndpoint());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!applied.containsKey(peer) && present && (wanted.equals(onDevice) || status.state() == PeerState.UP)) {
            return null; // first look after a restart: the device already follows it, or it works as it is
        }
        return wanted;
    }

    /**
     * The keepalive to write: none while this node holds back its first initiation, and none while
     * no endpoint is decided (a peer being probed): a keepalive without an endpoint makes WireGuard
     * fail an initiation and wait its rekey timeout (5 s) before the next, which would then delay
     * the first handshake once the endpoint arrives.
     */
    Duration keepalive(Key ours, Key peer, KubeSpanPeerStatus status, Instant now) {
        if (status.lastUsedEndpoint().isEmpty() && !Times.isZero(status.lastEndpointChange())) {
            return Duration.ZERO;
        }
        return holdUntil(ours, peer, status, now) == null ? KubeSpanConfig.PERSISTENT_KEEPALIVE : Duration.ZERO;
    }

    /** Until when this node holds back its initiation to {@code peer}; null when it does not. */
    Instant holdUntil(Key ours, Key peer, KubeSpanPeerStatus status, Instant now) {
        Instant decided = status.lastEndpointChange();
        if (Times.isZero(decided) || status.state() == PeerState.UP
                || Arrays.compareUnsigned(ours.bytes(), peer.bytes()) <= 0) {
            return null;
        }
        Instant until = decided.plus(INITIATION_HOLD);
        return now.isBefore(until) ? until : null;
    }

    /** The device now has what this pass asked for. */
    void applied() {
        applied.clear();
        applied.putAll(pass);
    }

    /** The device is gone (KubeSpan off): every decision is to be written again. */
    void forget() {
        applied.clear();
        pass.clear();
    }
}
