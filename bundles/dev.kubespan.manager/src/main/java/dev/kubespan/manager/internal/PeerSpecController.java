package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * Turns merged affiliates into KubeSpanPeerSpecs (ns kubespan, id = peer public key) while
 * KubeSpan is enabled; deletes them all when it is disabled or unconfigured.
 */
final class PeerSpecController implements Controller {
    private final ResourceStore store;
    private final Log log;

    PeerSpecController(ResourceStore store, Log log) {
        this.store = store;
        this.log = log;
    }

    @Override
    public void reconcile() {
        Optional<KubeSpanConfig> config = Owners.kubeSpanConfig(store).filter(KubeSpanConfig::enabled);
        if (config.isEmpty()) {
            deleteExcept(Map.of());
            return;
        }
        Optional<String> nodeId = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).filter(s -> !s.isEmpty());
        if (nodeId.isEmpty()) {
            log.debug("peer specs: waiting for the node identity");
            return;
        }
        List<Affiliate> affiliates = new ArrayList<>();
        for (Resource<Affiliate> r : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            affiliates.add(r.spec());
        }
        EndpointFilter filter = EndpointFilter.parse(config.get().peerEndpointFilters(),
                "KubeSpanConfig.peerEndpointFilters");
        filter.errors().forEach(log::warn);
        Map<String, KubeSpanPeerSpec> specs = PeerSpecCalculator.compute(affiliates, nodeId.get(), filter, log);
        specs.forEach((key, spec) -> store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, key, spec,
                Owners.PEER_SPEC));
        deleteExcept(specs);
    }

    private void deleteExcept(Map<String, KubeSpanPeerSpec> keep) {
        for (Resource<KubeSpanPeerSpec> r : store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            if (!keep.containsKey(r.id())) {
                store.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, r.id());
            }
        }
    }

    @Override
    public Duration tickInterval() {
        return Owners.tickInterval(store);
    }
}
