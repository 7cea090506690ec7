package dev.kubespan.api.spec;

/** An endpoint of another node observed by WireGuard (id = that node's public key). */
public record KubeSpanEndpoint(String affiliateID, String endpoint) {
    public KubeSpanEndpoint {
        affiliateID = Lists.text(affiliateID);
        endpoint = Lists.text(endpoint);
    }
}
