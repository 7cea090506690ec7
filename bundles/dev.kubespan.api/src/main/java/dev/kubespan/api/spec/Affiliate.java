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
}
