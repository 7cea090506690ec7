package dev.kubespan.api.spec;

/**
 * The local node's KubeSpan identity (ns {@code kubespan}, id {@code local}). {@code address}
 * is a /128 prefix, {@code subnet} the cluster's ULA /64; keys are standard base64.
 */
public record KubeSpanIdentity(String address, String subnet, String privateKey, String publicKey) {
    public static final String ID = "local";

    public KubeSpanIdentity {
        address = Lists.text(address);
        subnet = Lists.text(subnet);
        privateKey = Lists.text(privateKey);
        publicKey = Lists.text(publicKey);
    }

    /** Never shows the private key. */
    @Override
    public String toString() {
        return "KubeSpanIdentity[address=" + address + ", subnet=" + subnet + ", publicKey=" + publicKey
                + ", privateKey=" + (privateKey.isEmpty() ? "" : "<redacted>") + "]";
    }
}
