package dev.kubespan.api.spec;

import java.util.Objects;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

/**
 * The local node's KubeSpan identity (ns {@code kubespan}, id {@code local}): the node's address
 * (a /128 host prefix) in the cluster's ULA /64 {@code subnet}, and its WireGuard key pair (the
 * identity bundle derives {@code publicKey} from {@code privateKey}; the device controller derives it
 * again rather than trust a copy).
 * Everything is checked here, when the identity bundle publishes it; readers use the values as they are.
 */
public record KubeSpanIdentity(IpPrefix address, IpPrefix subnet, Key privateKey, Key publicKey) {
    public static final String ID = "local";

    public KubeSpanIdentity {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
        if (!address.isHost() || address.isIpv4()) {
            throw new IllegalArgumentException("KubeSpanIdentity.address " + address + " is not an IPv6 /128");
        }
        if (!subnet.contains(address.address())) {
            throw new IllegalArgumentException("KubeSpanIdentity.address " + address + " is not in subnet " + subnet);
        }
    }

    /** Never shows the private key. */
    @Override
    public String toString() {
        return "KubeSpanIdentity[address=" + address + ", subnet=" + subnet + ", publicKey=" + publicKey.toBase64()
                + ", privateKey=<redacted>]";
    }
}
