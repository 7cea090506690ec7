package dev.kubespan.config.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings as read from one source (YAML file or ConfigAdmin), type-checked but not yet
 * validated or defaulted. Absent fields are null. Both sources fill this so that one
 * {@link SettingsValidator} gives them the same rules and the same resources.
 */
final class RawSettings {

    /** The KubeSpan switches, from {@code machine.network.kubespan} or a {@code KubeSpanConfig} document. */
    static final class KubeSpan {
        /** Where the block is, e.g. {@code machine.network.kubespan} or {@code KubeSpanConfig}. */
        final String path;
        final int line;
        /** The v1alpha1 form: MTU 0 means the default, MTU is only checked when enabled. */
        final boolean legacy;
        Field<Boolean> enabled;
        Field<Boolean> allowDownPeerBypass;
        Field<Boolean> advertiseKubernetesNetworks;
        Field<Boolean> harvestExtraEndpoints;
        Field<Long> mtu;
        List<Field<String>> endpointFilters;
        List<Field<String>> excludeAdvertisedNetworks;
        List<Field<String>> peerEndpointFilters;

        KubeSpan(String path, int line, boolean legacy) {
            this.path = path;
            this.line = line;
            this.legacy = legacy;
        }
    }

    /** Cluster ID and secret. */
    static final class Identity {
        final String path;
        final int line;
        Field<String> clusterId;
        Field<String> clusterSecret;

        Identity(String path, int line) {
            this.path = path;
            this.line = line;
        }

        boolean isEmpty() {
            return blank(clusterId) && blank(clusterSecret);
        }

        private static boolean blank(Field<String> f) {
            return f == null || f.value().isBlank();
        }

        @Override
        public String toString() {
            return "Identity[" + path + "]";
        }
    }

    /** The v1alpha1 {@code cluster.discovery} block. */
    static final class LegacyDiscovery {
        final String path;
        final int line;
        Field<Boolean> enabled;
        Field<Boolean> kubernetesDisabled;
        Field<Boolean> serviceDisabled;
        Field<String> serviceEndpoint;

        LegacyDiscovery(String path, int line) {
            this.path = path;
            this.line = line;
        }
    }

    /** One discovery service to use: a {@code DiscoveryServiceConfig} document or a ConfigAdmin URL. */
    record Service(Field<String> name, Field<String> endpoint, String path, int line) {
    }

    /** {@code KubeSpanNATConfig} or the ConfigAdmin keys {@code nat.*}. */
    static final class Nat {
        final String path;
        final int line;
        List<Field<String>> stunServers;
        List<Field<String>> relayServers;
        Field<String> relayUsername;
        Field<String> relayPassword;
        Field<String> relaySharedSecret;

        Nat(String path, int line) {
            this.path = path;
            this.line = line;
        }
    }

    final String source;
    Nat nat;

    KubeSpan legacyKubeSpan;
    KubeSpan kubeSpanDocument;
    /** {@code KubeSpanEndpointsConfig.extraAnnouncedEndpoints}. */
    List<Field<String>> extraAnnouncedEndpoints;

    Identity legacyIdentity;
    Identity identityDocument;

    LegacyDiscovery legacyDiscovery;
    final List<Service> services = new ArrayList<>();
    /** Set by ConfigAdmin only: the Kubernetes registry switch outside the legacy block. */
    Field<Boolean> kubernetesRegistry;
    /** Set by ConfigAdmin only: the master switch for the service list. */
    Field<Boolean> discoveryEnabled;

    /** {@code KubeSpanAgentConfig}: this agent's own tunables. */
    Field<Long> listenPort;
    Field<String> peerReconcileInterval;
    Field<String> peerDownInterval;
    Field<String> endpointConnectionTimeout;

    RawSettings(String source) {
        this.source = source;
    }

    @Override
    public String toString() {
        return "RawSettings[" + source + "]";
    }
}
