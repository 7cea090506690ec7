package dev.kubespan.api.spec;

import java.util.List;

/** The KubeSpan part of an affiliate. {@code address} has no prefix length. */
public record AffiliateKubeSpan(String publicKey, String address, List<String> additionalAddresses,
        List<String> endpoints, List<String> excludeAdvertisedNetworks) {
    public AffiliateKubeSpan {
        publicKey = Lists.text(publicKey);
        address = Lists.text(address);
        additionalAddresses = Lists.copy(additionalAddresses);
        endpoints = Lists.copy(endpoints);
        excludeAdvertisedNetworks = Lists.copy(excludeAdvertisedNetworks);
    }
}
