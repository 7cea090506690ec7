package dev.kubespan.api.spec;

/** One discovery service to use: {@code endpoint} is {@code host:port}; insecure means plaintext h2c. */
public record DiscoveryServiceEndpoint(String name, String endpoint, boolean insecure) {
    public DiscoveryServiceEndpoint {
        name = Lists.text(name);
        endpoint = Lists.text(endpoint);
    }
}
