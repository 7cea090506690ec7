package dev.kubespan.discovery.kubernetes.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.test.DeclaredWriters;
import dev.kubespan.test.RecordingLog;

/**
 * One simulated KubeSpan node: its own resource store holding the inputs the registry reads
 * (discovery config, node identity, local affiliate) and a registry on it. Log lines are kept.
 * Other writers of the registry's shared output types write as declared writers ({@link #putAs}),
 * since the store refuses undeclared ones.
 */
final class RegistryNode implements AutoCloseable {
    final String nodeId;
    final InMemoryResourceStore store = new InMemoryResourceStore();
    /** The writer of the local affiliate in the agent (the manager's controller). */
    static final String LOCAL_AFFILIATE_OWNER = "dev.kubespan.manager/local-affiliate";
    /** The other registry writing raw affiliates in the agent. */
    static final String SERVICE_REGISTRY_OWNER = "dev.kubespan.discovery.service/registry";

    final RecordingLog log = new RecordingLog();
    private final DeclaredWriters writers = new DeclaredWriters(store);
    private final AccessLocator locator;
    private final Duration resync;
    private KubernetesRegistry registry;

    /** @param local the local affiliate, or null for a node that only reads */
    RegistryNode(String nodeId, Affiliate local, AccessLocator locator, Duration resync) {
        this.nodeId = nodeId;
        this.locator = locator;
        this.resync = resync;
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(nodeId), "test");
        if (local != null) {
            local(local);
        }
        configure(true, true);
    }

    static AccessLocator kubeconfig(Path file) {
        return new AccessLocator(file.toString(), file.toAbsolutePath().getParent(), Map.of(), Path.of("/nonexistent"));
    }

    void local(Affiliate a) {
        putAs(LOCAL_AFFILIATE_OWNER, ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId, a);
    }

    /** Writes as {@code owner}, declared a shared writer of the type first (as that controller would be). */
    <S> void putAs(String owner, ResourceType<S> type, String namespace, String id, S spec) {
        writers.put(owner, type, namespace, id, spec);
    }

    void configure(boolean discovery, boolean kubernetes) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID,
                new DiscoveryConfig(discovery, kubernetes, List.of(), "", ""), "test");
    }

    RegistryNode start() {
        registry = new KubernetesRegistry(store, log, locator, resync, Clock.systemUTC(), () -> 0.5);
        registry.start();
        return this;
    }

    /** What @Deactivate does. */
    void stop() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /** Raw affiliates in the store, by resource id (every registry's). */
    Map<String, Affiliate> raw() {
        Map<String, Affiliate> out = new TreeMap<>();
        for (Resource<Affiliate> r : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW)) {
            out.put(r.id(), r.spec());
        }
        return out;
    }

    Optional<RegistryStatus> status() {
        return store.get(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, KubernetesRegistry.STATUS_ID)
                .map(Resource::spec);
    }

    String state() {
        return status().map(RegistryStatus::state).orElse("");
    }

    String lastError() {
        return status().map(RegistryStatus::lastError).orElse("");
    }

    long warningsContaining(String text) {
        return log.at("WARN").stream().filter(l -> l.contains(text)).count();
    }

    @Override
    public void close() {
        stop();
        writers.close();
        store.deactivate();
    }
}
