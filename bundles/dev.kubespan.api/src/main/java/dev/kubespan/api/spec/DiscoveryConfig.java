package dev.kubespan.api.spec;

import java.util.List;

/**
 * Discovery settings (ns {@code config}, id {@code cluster}).
 *
 * @param serviceEncryptionKey the cluster secret (base64 of the 32-byte AES key)
 */
public record DiscoveryConfig(boolean discoveryEnabled, boolean registryKubernetesEnabled,
        List<DiscoveryServiceEndpoint> serviceEndpoints, String serviceEncryptionKey, String serviceClusterID) {
    public static final String ID = "cluster";

    public DiscoveryConfig {
        serviceEndpoints = Lists.copy(serviceEndpoints);
        serviceEncryptionKey = Lists.text(serviceEncryptionKey);
        serviceClusterID = Lists.text(serviceClusterID);
    }

    /** Never shows the encryption key. */
    @Override
    public String toString() {
        return "DiscoveryConfig[discoveryEnabled=" + discoveryEnabled + ", registryKubernetesEnabled="
                + registryKubernetesEnabled + ", serviceEndpoints=" + serviceEndpoints + ", serviceEncryptionKey="
                + (serviceEncryptionKey.isEmpty() ? "" : "<redacted>") + ", serviceClusterID=" + serviceClusterID + "]";
    }
}
