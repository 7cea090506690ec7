package dev.kubespan.manager.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NatMapping;
import dev.kubespan.api.spec.RelayAllocation;

/**
 * Writes the local Affiliate (ns cluster, id = own node ID) while some registry is configured,
 * and deletes it (and any left under an old node ID) otherwise. Host address changes trigger it
 * from outside the store.
 */
final class LocalAffiliateController implements Controller {
    private final HostNetwork host;
    private final Supplier<String> hostname;
    private final String operatingSystem;

    LocalAffiliateController(HostNetwork host, Supplier<String> hostname, String operatingSystem) {
        this.host = host;
        this.hostname = hostname;
        this.operatingSystem = operatingSystem;
    }

    /** Talos produces the local affiliate only when some registry would publish it. */
    static boolean registryConfigured(DiscoveryConfig c) {
        return c != null && c.discoveryEnabled() && (c.registryKubernetesEnabled() || !c.serviceEndpoints().isEmpty());
    }

    @Override
    public String name() {
        return Owners.LOCAL_AFFILIATE;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                Input.of(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER),
                // what the NAT bundle learned: this node's public mapping and its relayed address
                Input.of(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN).onChangeOf(r -> r.spec().relayedEndpoint()));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.shared(ResourceTypes.AFFILIATE));
    }

    /**
     * This node's public mapping of the WireGuard port (unless the NAT maps per destination) and
     * its relayed address are two more endpoints, after the others: peers rank them anyway.
     */
    private static Affiliate withNatEndpoints(ControllerContext ctx, Affiliate a) {
        if (a.kubespan() == null) {
            return a;
        }
        List<Endpoint> endpoints = new ArrayList<>(a.kubespan().endpoints());
        ctx.spec(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, NatMapping.ID).filter(NatMapping::publishable)
                .ifPresent(m -> add(ctx, endpoints, m.mappedEndpoint()));
        for (Resource<RelayAllocation> r : ctx.list(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN)) {
            add(ctx, endpoints, r.spec().relayedEndpoint());
        }
        if (endpoints.equals(a.kubespan().endpoints())) {
            return a;
        }
        return new Affiliate(a.nodeId(), a.addresses(), a.hostname(), a.nodename(), a.operatingSystem(), a.machineType(),
                a.kubespan().withEndpoints(endpoints), a.controlPlane());
    }

    /** NAT and relay resources carry their endpoints as text; an empty or bad one is not published. */
    private static void add(ControllerContext ctx, List<Endpoint> endpoints, String text) {
        if (text.isEmpty()) {
            return;
        }
        try {
            Endpoint endpoint = Endpoint.parse(text);
            if (!endpoints.contains(endpoint)) {
                endpoints.add(endpoint);
            }
        } catch (IllegalArgumentException e) {
            ctx.log().warn("local affiliate: not publishing NAT endpoint: " + e.getMessage());
        }
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Owners.tick(ctx);
        Optional<String> nodeId = Owners.nodeId(ctx);
        if (nodeId.isEmpty()) {
            ctx.log().debug("local affiliate: waiting for the node identity");
            return;
        }
        DiscoveryConfig discovery = ctx.spec(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID)
                .orElse(null);
        List<String> keep = List.of();
        if (registryConfigured(discovery)) {
            KubeSpanConfig ks = Owners.kubeSpanConfig(ctx).filter(KubeSpanConfig::enabled).orElse(null);
            KubeSpanIdentity identity = ctx
                    .spec(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID).orElse(null);
            List<String> discovered = new ArrayList<>();
            for (Resource<DiscoveredAddress> d : ctx.list(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER)) {
                if (!d.spec().address().isEmpty()) {
                    discovered.add(d.spec().address());
                }
            }
            Affiliate local = LocalAffiliateBuilder.build(nodeId.get(), hostname.get(), operatingSystem,
                    host.addresses(), ks, identity, discovered, ctx.log());
            local = withNatEndpoints(ctx, local);
            ctx.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId.get(), local);
            keep = List.of(nodeId.get());
        }
        ctx.deleteOwnedExcept(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, keep);
    }
}
