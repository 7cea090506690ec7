package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.Map;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * Merges the raw affiliates of every registry (ns cluster-raw) into one Affiliate per node
 * (ns cluster, id = node ID). The local node's own affiliate is never overwritten; merged
 * affiliates whose node no registry reports any more are deleted.
 */
final class AffiliateMergeController implements Controller {
    private final ResourceStore store;
    private final Log log;

    AffiliateMergeController(ResourceStore store, Log log) {
        this.store = store;
        this.log = log;
    }

    @Override
    public void reconcile() {
        String localId = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).orElse("");
        Map<String, Affiliate> merged = AffiliateMerger
                .merge(store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW), log);
        merged.remove(localId);
        for (Map.Entry<String, Affiliate> e : merged.entrySet()) {
            boolean local = store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, e.getKey())
                    .map(r -> Owners.LOCAL_AFFILIATE.equals(r.metadata().owner())).orElse(false);
            if (!local) {
                store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, e.getKey(), e.getValue(),
                        Owners.AFFILIATE_MERGE);
            }
        }
        for (Resource<Affiliate> a : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            if (Owners.AFFILIATE_MERGE.equals(a.metadata().owner()) && !merged.containsKey(a.id())) {
                store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, a.id());
            }
        }
    }

    @Override
    public Duration tickInterval() {
        return Owners.tickInterval(store);
    }
}
