package dev.kubespan.discovery.kubernetes.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.ResourceType;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.RegistryTestNode;

/**
 * One simulated KubeSpan node ({@link RegistryTestNode}: its own store with the inputs the registry
 * reads) and a Kubernetes registry on it. Log lines are kept.
 */
final class RegistryNode implements AutoCloseable {
    /** The other registry writing raw affiliates in the agent. */
    static final String SERVICE_REGISTRY_OWNER = "dev.kubespan.discovery.service/registry";

    final String nodeId;
    private final RegistryTestNode node;
    final InMemoryResourceStore store;
    final RecordingLog log = new RecordingLog();
    private final AccessLocator locator;
    private final Duration resync;
    private KubernetesRegistry registry;

    /** @param local the local affiliate, or null for a node that only reads */
    RegistryNode(String nodeId, Affiliate local, AccessLocator locator, Duration resync) {
        this.nodeId = nodeId;
        this.node = new RegistryTestNode(nodeId);
        this.store = node.store;
        this.locator = locator;
        this.resync = resync;
        if (local != null) {
            local(local);
        }
        configure(true, true);
    }

    static AccessLocator kubeconfig(Path file) {
        return new AccessLocator(file.toString(), file.toAbsolutePath().getParent(), Map.of(), Path.of("/nonexistent"));
    }

    void local(Affiliate a) {
        node.local(a);
    }

    /** Writes as {@code owner}, declared a shared writer of the type first (as that controller would be). */
    <S> void putAs(String owner, ResourceType<S> type, String namespace, String id, S spec) {
        node.putAs(owner, type, namespace, id, spec);
    }

    void configure(boolean discovery, boolean kubernetes) {
        node.discovery(new DiscoveryConfig(discovery, kubernetes, List.of(), "", ""));
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
        return node.raw();
    }

    Optional<RegistryStatus> status() {
        return node.status(KubernetesRegistry.STATUS_ID);
    }

    String state() {
        return status().map(s -> s.state().toString()).orElse("");
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
        node.close();
    }
}
