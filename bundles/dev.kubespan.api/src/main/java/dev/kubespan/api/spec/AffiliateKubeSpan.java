package dev.kubespan.api.spec;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

/**
 * The KubeSpan part of an affiliate: the node's WireGuard public key, its KubeSpan address (null
 * when it advertises none), the prefixes it routes, its endpoints and the networks it does not
 * want routed to it. Whoever reads an affiliate from outside (the discovery service, Kubernetes)
 * builds this, leaving out (and reporting) what does not parse; an affiliate without a valid public
 * key has no KubeSpan part. Readers use the values as they are.
 */
public record AffiliateKubeSpan(Key publicKey, InetAddress address, List<IpPrefix> additionalAddresses,
        List<Endpoint> endpoints, List<IpPrefix> excludeAdvertisedNetworks) {
    public AffiliateKubeSpan {
        Objects.requireNonNull(publicKey, "publicKey");
        additionalAddresses = Lists.copy(additionalAddresses);
        endpoints = Lists.copy(endpoints);
        excludeAdvertisedNetworks = Lists.copy(excludeAdvertisedNetworks);
    }

    /** The same with other endpoints. */
    public AffiliateKubeSpan withEndpoints(List<Endpoint> others) {
        return new AffiliateKubeSpan(publicKey, address, additionalAddresses, others, excludeAdvertisedNetworks);
    }
}
