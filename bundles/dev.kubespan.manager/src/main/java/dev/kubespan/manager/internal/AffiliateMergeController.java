package dev.kubespan.manager.internal;

import java.util.List;
import java.util.Map;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.Affiliate;

/**
 * Merges the raw affiliates of every registry (ns cluster-raw) into one Affiliate per node
 * (ns cluster, id = node ID). The local node's own affiliate (another writer's) is never
 * touched; merged affiliates whose node no registry reports any more are deleted.
 */
final class AffiliateMergeController implements Controller {

    @Override
    public String name() {
        return Owners.AFFILIATE_MERGE;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.shared(ResourceTypes.AFFILIATE));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        String localId = Owners.nodeId(ctx).orElse("");
        Map<String, Affiliate> merged = AffiliateMerger.merge(ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW),
                ctx.log());
        merged.remove(localId);
        for (Map.Entry<String, Affiliate> e : merged.entrySet()) {
            boolean local = ctx.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, e.getKey())
                    .map(Resource::metadata).map(m -> Owners.LOCAL_AFFILIATE.equals(m.owner())).orElse(false);
            if (!local) {
                ctx.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, e.getKey(), e.getValue());
            }
        }
        ctx.deleteOwnedExcept(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, merged.keySet());
        Owners.tick(ctx);
    }
}
