package dev.kubespan.status.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;

/**
 * The endpoints this node observed for its peers, to be reported to the discovery service as
 * extra candidates for those peers (docs/kubespan-node.md §4.5): one per peer that is {@code up}, has
 * an actual endpoint, and whose public key belongs to a known affiliate.
 */
final class EndpointHarvest {
    private EndpointHarvest() {
    }

    /**
     * @param statuses peer statuses by peer public key
     * @param affiliates the merged affiliates
     * @return the endpoints to publish, by peer public key
     */
    static Map<String, KubeSpanEndpoint> of(Map<String, KubeSpanPeerStatus> statuses, List<Affiliate> affiliates) {
        Map<String, String> nodeIdByKey = new HashMap<>();
        for (Affiliate a : affiliates) {
            if (a.kubespan() != null && !a.nodeId().isEmpty()) {
                nodeIdByKey.put(a.kubespan().publicKey().toBase64(), a.nodeId());
            }
        }
        Map<String, KubeSpanEndpoint> out = new TreeMap<>();
        statuses.forEach((key, status) -> {
            String nodeId = nodeIdByKey.get(key);
            if (status.state() == PeerState.UP && !status.endpoint().isEmpty() && nodeId != null) {
                out.put(key, new KubeSpanEndpoint(nodeId, status.endpoint()));
            }
        });
        return out;
    }
}
