package dev.kubespan.api.spec;

import java.time.Duration;
import java.util.List;

/**
 * The effective KubeSpan configuration (ns {@code config}, id {@code kubespan}). The first ten
 * fields are Talos'; the rest are this agent's additions, with Talos' constants as defaults.
 *
 * @param sharedSecret the cluster secret, verbatim base64 text (also the WireGuard PSK)
 * @param endpointFilters filters on the endpoints this node advertises (empty = no filtering)
 * @param peerEndpointFilters filters on which received peer endpoints this node tries (empty = all)
 */
public record KubeSpanConfig(boolean enabled, String clusterId, String sharedSecret, boolean forceRouting,
        boolean advertiseKubernetesNetworks, int mtu, List<String> endpointFilters, boolean harvestExtraEndpoints,
        List<String> extraEndpoints, List<String> excludeAdvertisedNetworks,
        int listenPort, List<String> peerEndpointFilters, Duration peerReconcileInterval,
        Duration peerDownInterval, Duration endpointConnectionTimeout) {

    public static final String ID = "kubespan";
    /** The WireGuard link KubeSpan owns. */
    public static final String LINK_NAME = "kubespan";
    /** fwmark WireGuard sets on its own encrypted packets (docs/kubespan-node.md §5.1). */
    public static final int WIREGUARD_FWMARK = 0x20;
    public static final int ROUTING_TABLE = 180;
    public static final int RULE_PRIORITY = 32500;
    public static final java.time.Duration PERSISTENT_KEEPALIVE = java.time.Duration.ofSeconds(25);
    public static final int DEFAULT_MTU = 1420;
    public static final int MIN_MTU = 1280;
    public static final int DEFAULT_LISTEN_PORT = 51820;
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DOWN_INTERVAL = Duration.ofSeconds(275);
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);

    public KubeSpanConfig {
        clusterId = Lists.text(clusterId);
        sharedSecret = Lists.text(sharedSecret);
        mtu = mtu == 0 ? DEFAULT_MTU : mtu;
        endpointFilters = Lists.copy(endpointFilters);
        extraEndpoints = Lists.copy(extraEndpoints);
        excludeAdvertisedNetworks = Lists.copy(excludeAdvertisedNetworks);
        listenPort = listenPort == 0 ? DEFAULT_LISTEN_PORT : listenPort;
        peerEndpointFilters = Lists.copy(peerEndpointFilters);
        peerReconcileInterval = peerReconcileInterval == null ? DEFAULT_RECONCILE_INTERVAL : peerReconcileInterval;
        peerDownInterval = peerDownInterval == null ? DEFAULT_DOWN_INTERVAL : peerDownInterval;
        endpointConnectionTimeout = endpointConnectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT
                : endpointConnectionTimeout;
    }

    /** A config with every field at its default: disabled, no cluster, Talos' constants. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        return new Builder().enabled(enabled).clusterId(clusterId).sharedSecret(sharedSecret)
                .forceRouting(forceRouting).advertiseKubernetesNetworks(advertiseKubernetesNetworks).mtu(mtu)
                .endpointFilters(endpointFilters).harvestExtraEndpoints(harvestExtraEndpoints)
                .extraEndpoints(extraEndpoints).excludeAdvertisedNetworks(excludeAdvertisedNetworks)
                .listenPort(listenPort).peerEndpointFilters(peerEndpointFilters)
                .peerReconcileInterval(peerReconcileInterval).peerDownInterval(peerDownInterval)
                .endpointConnectionTimeout(endpointConnectionTimeout);
    }

    /** Names the fields of this 15-component record; what is not set keeps its default. */
    public static final class Builder {
        private boolean enabled;
        private String clusterId;
        private String sharedSecret;
        private boolean forceRouting;
        private boolean advertiseKubernetesNetworks;
        private int mtu;
        private List<String> endpointFilters;
        private boolean harvestExtraEndpoints;
        private List<String> extraEndpoints;
        private List<String> excludeAdvertisedNetworks;
        private int listenPort;
        private List<String> peerEndpointFilters;
        private Duration peerReconcileInterval;
        private Duration peerDownInterval;
        private Duration endpointConnectionTimeout;

        private Builder() {
        }

        public Builder enabled(boolean v) {
            enabled = v;
            return this;
        }

        public Builder clusterId(String v) {
            clusterId = v;
            return this;
        }

        /** The cluster secret, verbatim base64 text. */
        public Builder sharedSecret(String v) {
            sharedSecret = v;
            return this;
        }

        public Builder forceRouting(boolean v) {
            forceRouting = v;
            return this;
        }

        public Builder advertiseKubernetesNetworks(boolean v) {
            advertiseKubernetesNetworks = v;
            return this;
        }

        /** 0 = {@link KubeSpanConfig#DEFAULT_MTU}. */
        public Builder mtu(int v) {
            mtu = v;
            return this;
        }

        public Builder endpointFilters(List<String> v) {
            endpointFilters = v;
            return this;
        }

        public Builder harvestExtraEndpoints(boolean v) {
            harvestExtraEndpoints = v;
            return this;
        }

        public Builder extraEndpoints(List<String> v) {
            extraEndpoints = v;
            return this;
        }

        public Builder excludeAdvertisedNetworks(List<String> v) {
            excludeAdvertisedNetworks = v;
            return this;
        }

        /** 0 = {@link KubeSpanConfig#DEFAULT_LISTEN_PORT}. */
        public Builder listenPort(int v) {
            listenPort = v;
            return this;
        }

        public Builder peerEndpointFilters(List<String> v) {
            peerEndpointFilters = v;
            return this;
        }

        public Builder peerReconcileInterval(Duration v) {
            peerReconcileInterval = v;
            return this;
        }

        public Builder peerDownInterval(Duration v) {
            peerDownInterval = v;
            return this;
        }

        public Builder endpointConnectionTimeout(Duration v) {
            endpointConnectionTimeout = v;
            return this;
        }

        public KubeSpanConfig build() {
            return new KubeSpanConfig(enabled, clusterId, sharedSecret, forceRouting, advertiseKubernetesNetworks, mtu,
                    endpointFilters, harvestExtraEndpoints, extraEndpoints, excludeAdvertisedNetworks, listenPort,
                    peerEndpointFilters, peerReconcileInterval, peerDownInterval, endpointConnectionTimeout);
        }
    }

    /** Never shows the cluster secret. */
    @Override
    public String toString() {
        return "KubeSpanConfig[enabled=" + enabled + ", clusterId=" + clusterId + ", sharedSecret="
                + (sharedSecret.isEmpty() ? "" : "<redacted>") + ", forceRouting=" + forceRouting
                + ", advertiseKubernetesNetworks=" + advertiseKubernetesNetworks + ", mtu=" + mtu
                + ", endpointFilters=" + endpointFilters + ", harvestExtraEndpoints=" + harvestExtraEndpoints
                + ", extraEndpoints=" + extraEndpoints + ", excludeAdvertisedNetworks=" + excludeAdvertisedNetworks
                + ", listenPort=" + listenPort + ", peerEndpointFilters=" + peerEndpointFilters
                + ", peerReconcileInterval=" + peerReconcileInterval + ", peerDownInterval=" + peerDownInterval
                + ", endpointConnectionTimeout=" + endpointConnectionTimeout + "]";
    }
}
