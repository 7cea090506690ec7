package dev.kubespan.api.spec;

import java.time.Instant;

/**
 * Observed state of one peer (id = the peer's public key). An empty endpoint string means none.
 */
public record KubeSpanPeerStatus(String endpoint, String label, PeerState state, long receiveBytes,
        long transmitBytes, Instant lastHandshakeTime, String lastUsedEndpoint, Instant lastEndpointChange) {
    public KubeSpanPeerStatus {
        endpoint = Lists.text(endpoint);
        label = Lists.text(label);
        state = state == null ? PeerState.UNKNOWN : state;
        lastHandshakeTime = Times.orZero(lastHandshakeTime);
        lastUsedEndpoint = Lists.text(lastUsedEndpoint);
        lastEndpointChange = Times.orZero(lastEndpointChange);
    }
}
