package dev.kubespan.config.internal;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.NatConfig;

/**
 * Writes the two resources this bundle owns. An unchanged spec is not a new version (the store
 * compares), so publishing the same config again is harmless.
 */
final class ConfigPublisher {
    private ConfigPublisher() {
    }

    static void publish(ControllerContext ctx, EffectiveConfig config) {
        ctx.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID, config.discovery());
        ctx.put(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID, config.nat());
        if (config.kubeSpan() != null) {
            ctx.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, config.kubeSpan());
        } else {
            // Talos (since 1.14) has no KubeSpanConfig at all without a cluster identity.
            ctx.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        }
    }
}
