package dev.kubespan.api.spec;

import java.util.List;

/**
 * A cluster member as a registry sees it. Raw affiliates live in ns {@code cluster-raw} with ids
 * {@code service/<nodeId>} or {@code k8s/<nodeId>}; merged ones (and the local one) in ns
 * {@code cluster} with id {@code <nodeId>}. {@code kubespan} and {@code controlPlane} may be null.
 *
 * @param machineType {@code controlplane}, {@code worker} or {@code unknown}
 */
public record Affiliate(String nodeId, List<String> addresses, String hostname, String nodename,
        String operatingSystem, String machineType, AffiliateKubeSpan kubespan, ControlPlane controlPlane) {
    public Affiliate {
        nodeId = Lists.text(nodeId);
        addresses = Lists.copy(addresses);
        hostname = Lists.text(hostname);
        nodename = Lists.text(nodename);
        operatingSystem = Lists.text(operatingSystem);
        machineType = machineType == null || machineType.isEmpty() ? "unknown" : machineType;
    }

    /** This product's nodes name themselves so in {@code operatingSystem}; Talos nodes do not. */
    public static final String OUR_OPERATING_SYSTEM = "KubeSpan for OSGi";

    /** Whether the node runs this product, which answers path probes (Talos nodes do not). */
    public boolean answersPathProbes() {
        return operatingSystem.startsWith(OUR_OPERATING_SYSTEM);
    }
}
