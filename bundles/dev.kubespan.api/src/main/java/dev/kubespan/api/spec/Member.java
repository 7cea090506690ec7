package dev.kubespan.api.spec;

import java.util.List;

/** A merged affiliate with a nodename (id = nodename). */
public record Member(String nodeId, List<String> addresses, String hostname, String machineType,
        String operatingSystem, ControlPlane controlPlane) {
    public Member {
        nodeId = Lists.text(nodeId);
        addresses = Lists.copy(addresses);
        hostname = Lists.text(hostname);
        machineType = Lists.text(machineType);
        operatingSystem = Lists.text(operatingSystem);
    }
}
