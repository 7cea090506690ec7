package dev.kubespan.api.spec;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;

/**
 * What this node should configure for one peer (id = the peer's public key): its KubeSpan
 * {@code address}, the prefixes routed to it and the endpoints to try, in order. The manager
 * builds it from the peer's affiliate, dropping (and logging) what does not parse, so readers use
 * the values as they are.
 */
public record KubeSpanPeerSpec(InetAddress address, List<IpPrefix> allowedIPs, List<Endpoint> endpoints,
        String label) {
    public KubeSpanPeerSpec {
        Objects.requireNonNull(address, "address");
        allowedIPs = Lists.copy(allowedIPs);
        endpoints = Lists.copy(endpoints);
        label = Lists.text(label);
    }
}
