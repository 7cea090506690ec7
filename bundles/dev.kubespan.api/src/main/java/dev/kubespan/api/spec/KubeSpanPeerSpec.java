package dev.kubespan.api.spec;

import java.util.List;

/**
 * What this node should configure for one peer (id = the peer's public key). {@code address}
 * has no prefix length; endpoints are {@code ip:port} ({@code [ip]:port} for IPv6).
 */
public record KubeSpanPeerSpec(String address, List<String> allowedIPs, List<String> endpoints, String label) {
    public KubeSpanPeerSpec {
        address = Lists.text(address);
        allowedIPs = Lists.copy(allowedIPs);
        endpoints = Lists.copy(endpoints);
        label = Lists.text(label);
    }
}
