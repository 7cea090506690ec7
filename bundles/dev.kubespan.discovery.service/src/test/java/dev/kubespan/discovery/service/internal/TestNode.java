package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;

/** One simulated node: its own resource store with the inputs the registry reads, and a registry. */
final class TestNode implements AutoCloseable {
    static final String CLUSTER = "test-cluster-id";
    /** The writer of the local affiliate in the agent (the manager's controller), a shared writer of the type. */
    static final String LOCAL_AFFILIATE_OWNER = "dev.kubespan.manager/local-affiliate";

    final String id;
    final Affiliate local;
    final InMemoryResourceStore store = new InMemoryResourceStore();
    private final Duration ttl;
    private final DiscoveryClient.ChannelFactory channels;
    private final ResourceStore.Claim localAffiliateClaim;
    private DiscoveryRegistry registry;

    TestNode(String id, String lastOctet, Duration ttl, DiscoveryClient.ChannelFactory channels,
            DiscoveryServiceEndpoint... services) {
        this.id = id;
        this.local = Fixtures.affiliate(id, lastOctet);
        this.ttl = ttl;
        this.channels = channels;
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(id), "test");
        localAffiliateClaim = store.claim(LOCAL_AFFILIATE_OWNER, ResourceTypes.AFFILIATE, false);
        setLocal(local);
        configure(true, services);
    }

    TestNode(String id, String lastOctet, DiscoveryServiceEndpoint... services) {
        this(id, lastOctet, Duration.ofMinutes(30), DiscoveryClient.ChannelFactory.standard("test"), services);
    }

    static DiscoveryServiceEndpoint plain(String name, TestClusterServer s) {
        return plain(name, s.endpoint());
    }

    static DiscoveryServiceEndpoint plain(String name, String hostPort) {
        return new DiscoveryServiceEndpoint(name, "http://" + hostPort, false);
    }

    void configure(boolean enabled, DiscoveryServiceEndpoint... services) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID,
                new DiscoveryConfig(enabled, false, List.of(services), Fixtures.KEY_BASE64, CLUSTER), "test");
    }

    /** Writes the local affiliate as the agent's local-affiliate controller would. */
    void setLocal(Affiliate a) {
        store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, id, a, LOCAL_AFFILIATE_OWNER);
    }

    TestNode start() {
        registry = new DiscoveryRegistry(store, Log.console("[" + id + "]"), channels, Clock.systemUTC(), () -> 0.0,
                new SecureRandom(), ttl);
        registry.start();
        return this;
    }

    /** What @Deactivate does (bundle update / stop). */
    void stopRegistry() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /** Raw affiliates this node wrote, by resource id. */
    Map<String, Affiliate> raw() {
        Map<String, Affiliate> out = new TreeMap<>();
        for (Resource<Affiliate> r : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW)) {
            out.put(r.id(), r.spec());
        }
        return out;
    }

    Optional<String> discoveredAddress() {
        return store.get(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, DiscoveryRegistry.ADDRESS_ID)
                .map(r -> r.spec().address());
    }

    Optional<RegistryStatus> status(String name) {
        return store.get(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/" + name).map(Resource::spec);
    }

    @Override
    public void close() {
        stopRegistry();
        localAffiliateClaim.close();
        store.deactivate();
    }
}
