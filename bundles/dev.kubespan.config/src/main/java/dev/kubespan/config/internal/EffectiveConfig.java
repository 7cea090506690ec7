package dev.kubespan.config.internal;

import java.util.Objects;

import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.NatConfig;

/**
 * What a valid configuration publishes: always a {@link DiscoveryConfig}, and a
 * {@link KubeSpanConfig} only when a cluster ID and secret are configured (null otherwise).
 */
record EffectiveConfig(KubeSpanConfig kubeSpan, DiscoveryConfig discovery, NatConfig nat) {

    EffectiveConfig {
        Objects.requireNonNull(discovery, "discovery");
        nat = nat == null ? NatConfig.none() : nat;
    }

    EffectiveConfig(KubeSpanConfig kubeSpan, DiscoveryConfig discovery) {
        this(kubeSpan, discovery, NatConfig.none());
    }

    boolean hasIdentity() {
        return kubeSpan != null;
    }

    /** A one-line description for the log, without the cluster ID or secret. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        if (kubeSpan == null) {
            sb.append("KubeSpan off (no cluster id/secret)");
        } else {
            sb.append("KubeSpan ").append(kubeSpan.enabled() ? "enabled" : "disabled").append(" (mtu ")
                    .append(kubeSpan.mtu()).append(", port ").append(kubeSpan.listenPort()).append(", forceRouting ")
                    .append(kubeSpan.forceRouting()).append(')');
        }
        sb.append("; discovery ").append(discovery.discoveryEnabled() ? "enabled" : "disabled");
        if (!discovery.serviceEndpoints().isEmpty()) {
            sb.append(" via ");
            sb.append(String.join(", ", discovery.serviceEndpoints().stream()
                    .map(e -> e.name() + "=" + (e.insecure() ? "http://" : "https://") + e.endpoint()).toList()));
        }
        if (discovery.registryKubernetesEnabled()) {
            sb.append(" + Kubernetes registry");
        }
        if (nat.relayEnabled()) {
            sb.append("; relays ").append(nat.relayServers());
        }
        return sb.toString();
    }

    /** The spec records' own toString would print the cluster secret. */
    @Override
    public String toString() {
        return "EffectiveConfig[" + describe() + "]";
    }
}
