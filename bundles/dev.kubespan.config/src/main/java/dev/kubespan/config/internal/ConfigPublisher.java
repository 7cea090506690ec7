package dev.kubespan.config.internal;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;

/**
 * Writes the two resources this bundle owns. An unchanged spec is not a new version (the store
 * compares), so publishing the same config again is harmless.
 */
final class ConfigPublisher {
    static final String OWNER = "dev.kubespan.config";

    private final ResourceStore store;

    ConfigPublisher(ResourceStore store) {
        this.store = store;
    }

    void publish(EffectiveConfig config) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID, config.discovery(), OWNER);
        if (config.kubeSpan() != null) {
            store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, config.kubeSpan(), OWNER);
        } else {
            // Talos (since 1.14) has no KubeSpanConfig at all without a cluster identity.
            store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        }
    }
}
