package dev.kubespan.manager.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerSpec;

/**
 * Turns merged affiliates into KubeSpanPeerSpecs (ns kubespan, id = peer public key) while
 * KubeSpan is enabled; deletes them all when it is disabled or unconfigured.
 */
final class PeerSpecController implements Controller {

    @Override
    public String name() {
        return Owners.PEER_SPEC;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.KUBESPAN_PEER_SPEC));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Owners.tick(ctx);
        Optional<KubeSpanConfig> config = Owners.kubeSpanConfig(ctx).filter(KubeSpanConfig::enabled);
        if (config.isEmpty()) {
            ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, List.of());
            return;
        }
        Optional<String> nodeId = Owners.nodeId(ctx);
        if (nodeId.isEmpty()) {
            ctx.log().debug("peer specs: waiting for the node identity");
            return;
        }
        List<Affiliate> affiliates = new ArrayList<>();
        for (Resource<Affiliate> r : ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            affiliates.add(r.spec());
        }
        EndpointFilter filter = EndpointFilter.parse(config.get().peerEndpointFilters(),
                "KubeSpanConfig.peerEndpointFilters");
        filter.errors().forEach(ctx.log()::warn);
        Map<String, KubeSpanPeerSpec> specs = PeerSpecCalculator.compute(affiliates, nodeId.get(), filter, ctx.log());
        specs.forEach((key, spec) -> ctx.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, key, spec));
        ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, specs.keySet());
    }
}
