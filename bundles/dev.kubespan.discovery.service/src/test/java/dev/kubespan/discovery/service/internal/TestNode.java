package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.test.RegistryTestNode;

/**
 * One simulated node ({@link RegistryTestNode}: its own store with the inputs the registry reads)
 * and a discovery registry on it.
 */
final class TestNode implements AutoCloseable {
    static final String CLUSTER = "test-cluster-id";

    final String id;
    final Affiliate local;
    private final RegistryTestNode node;
    final InMemoryResourceStore store;
    private final Duration ttl;
    private final DiscoveryClient.ChannelFactory channels;
    private DiscoveryRegistry registry;

    TestNode(String id, String lastOctet, Duration ttl, DiscoveryClient.ChannelFactory channels,
            DiscoveryServiceEndpoint... services) {
        this.id = id;
        this.local = Fixtures.affiliate(id, lastOctet);
        this.node = new RegistryTestNode(id);
        this.store = node.store;
        this.ttl = ttl;
        this.channels = channels;
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
        node.discovery(new DiscoveryConfig(enabled, false, List.of(services), Fixtures.KEY_BASE64, CLUSTER));
    }

    /** Writes the local affiliate as the agent's local-affiliate controller would. */
    void setLocal(Affiliate a) {
        node.local(a);
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
        return node.raw();
    }

    Optional<String> discoveredAddress() {
        return store.get(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, DiscoveryRegistry.ADDRESS_ID)
                .map(r -> r.spec().address());
    }

    Optional<RegistryStatus> status(String name) {
        return node.status("service/" + name);
    }

    @Override
    public void close() {
        stopRegistry();
        node.close();
    }
}
