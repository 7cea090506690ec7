package dev.kubespan.api.spec;

import java.time.Instant;

/**
 * Observed state of one peer (id = the peer's public key). An empty endpoint string means none.
 *
 * @param path how this node reaches the peer
 * @param relayedVia for a relayed path, the relayed address in use (the peer's or this node's)
 */
public record KubeSpanPeerStatus(String endpoint, String label, PeerState state, long receiveBytes,
        long transmitBytes, Instant lastHandshakeTime, String lastUsedEndpoint, Instant lastEndpointChange, PeerPath path,
        String relayedVia) {
    /** A status on a direct path. */
    public KubeSpanPeerStatus(String endpoint, String label, PeerState state, long receiveBytes, long transmitBytes,
            Instant lastHandshakeTime, String lastUsedEndpoint, Instant lastEndpointChange) {
        this(endpoint, label, state, receiveBytes, transmitBytes, lastHandshakeTime, lastUsedEndpoint, lastEndpointChange,
                PeerPath.DIRECT, "");
    }

    public KubeSpanPeerStatus {
        path = path == null ? PeerPath.DIRECT : path;
        relayedVia = Lists.text(relayedVia);
        endpoint = Lists.text(endpoint);
        label = Lists.text(label);
        state = state == null ? PeerState.UNKNOWN : state;
        lastHandshakeTime = Times.orZero(lastHandshakeTime);
        lastUsedEndpoint = Lists.text(lastUsedEndpoint);
        lastEndpointChange = Times.orZero(lastEndpointChange);
    }

    /** The PATH column: {@code direct}, {@code probing}, {@code relayed via ip:port}. */
    public String pathLabel() {
        return path == PeerPath.RELAYED && !relayedVia.isEmpty() ? path + " via " + relayedVia : path.toString();
    }
}
