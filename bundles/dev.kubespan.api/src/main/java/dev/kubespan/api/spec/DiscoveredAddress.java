package dev.kubespan.api.spec;

/**
 * This node's public IP as a registry reported it (ns {@code cluster}, id = registry name,
 * e.g. {@code service}).
 */
public record DiscoveredAddress(String address) {
    public DiscoveredAddress {
        address = Lists.text(address);
    }
}
