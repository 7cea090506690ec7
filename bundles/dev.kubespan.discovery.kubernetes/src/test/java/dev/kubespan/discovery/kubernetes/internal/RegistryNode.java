package dev.kubespan.discovery.kubernetes.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;

/**
 * One simulated KubeSpan node: its own resource store holding the inputs the registry reads
 * (discovery config, node identity, local affiliate) and a registry on it. Log lines are kept.
 */
final class RegistryNode implements AutoCloseable {
    final String nodeId;
    final InMemoryResourceStore store = new InMemoryResourceStore();
    final List<String> logLines = new CopyOnWriteArrayList<>();
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
        store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId, a, "test");
    }

    void configure(boolean discovery, boolean kubernetes) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID,
                new DiscoveryConfig(discovery, kubernetes, List.of(), "", ""), "test");
    }

    RegistryNode start() {
        Log log = new Log() {
            @Override
            public void debug(String message) {
                if (Boolean.getBoolean("kubespan.test.debug")) {
                    line("DEBUG " + message);
                }
            }

            @Override
            public void info(String message) {
                line("INFO " + message);
            }

            @Override
            public void warn(String message) {
                line("WARN " + message);
            }

            @Override
            public void error(String message, Throwable cause) {
                line("ERROR " + message + (cause == null ? "" : ": " + cause));
            }
        };
        registry = new KubernetesRegistry(store, log, locator, resync, Clock.systemUTC(), () -> 0.5);
        registry.start();
        return this;
    }

    private void line(String s) {
        logLines.add(s);
        System.err.println("[" + nodeId + "] " + s);
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
        return logLines.stream().filter(l -> l.startsWith("WARN") && l.contains(text)).count();
    }

    @Override
    public void close() {
        stop();
        store.deactivate();
    }
}
