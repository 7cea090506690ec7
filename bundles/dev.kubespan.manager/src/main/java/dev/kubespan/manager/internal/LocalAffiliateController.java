package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * Writes the local Affiliate (ns cluster, id = own node ID) while some registry is configured,
 * and deletes it (and any left under an old node ID) otherwise.
 */
final class LocalAffiliateController implements Controller {
    private final ResourceStore store;
    private final HostNetwork host;
    private final Supplier<String> hostname;
    private final String operatingSystem;
    private final Log log;

    LocalAffiliateController(ResourceStore store, HostNetwork host, Supplier<String> hostname, String operatingSystem,
            Log log) {
        this.store = store;
        this.host = host;
        this.hostname = hostname;
        this.operatingSystem = operatingSystem;
        this.log = log;
    }

    /** Talos produces the local affiliate only when some registry would publish it. */
    static boolean registryConfigured(DiscoveryConfig c) {
        return c != null && c.discoveryEnabled() && (c.registryKubernetesEnabled() || !c.serviceEndpoints().isEmpty());
    }

    @Override
    public void reconcile() {
        Optional<String> nodeId = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).filter(s -> !s.isEmpty());
        if (nodeId.isEmpty()) {
            log.debug("local affiliate: waiting for the node identity");
            return;
        }
        DiscoveryConfig discovery = store.get(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID)
                .map(Resource::spec).orElse(null);
        String keep = null;
        if (registryConfigured(discovery)) {
            KubeSpanConfig ks = Owners.kubeSpanConfig(store).filter(KubeSpanConfig::enabled).orElse(null);
            KubeSpanIdentity identity = store
                    .get(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID)
                    .map(Resource::spec).orElse(null);
            List<String> discovered = new ArrayList<>();
            for (Resource<DiscoveredAddress> d : store.list(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER)) {
                if (!d.spec().address().isEmpty()) {
                    discovered.add(d.spec().address());
                }
            }
            Affiliate local = LocalAffiliateBuilder.build(nodeId.get(), hostname.get(), operatingSystem,
                    host.addresses(), ks, identity, discovered, log);
            store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId.get(), local, Owners.LOCAL_AFFILIATE);
            keep = nodeId.get();
        }
        for (Resource<Affiliate> a : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            if (Owners.LOCAL_AFFILIATE.equals(a.metadata().owner()) && !a.id().equals(keep)) {
                store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, a.id());
            }
        }
    }

    @Override
    public Duration tickInterval() {
        return Owners.tickInterval(store);
    }
}
