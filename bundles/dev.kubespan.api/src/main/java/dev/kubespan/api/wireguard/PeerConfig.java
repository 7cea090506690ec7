package dev.kubespan.api.wireguard;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;

/**
 * The desired configuration of one peer. A null {@code endpoint} leaves the device's endpoint as
 * it is (so an endpoint WireGuard roamed to survives); a null {@code presharedKey} means none.
 * Allowed IPs always replace the device's list.
 */
public record PeerConfig(Key publicKey, Key presharedKey, Endpoint endpoint, Duration persistentKeepalive,
        List<IpPrefix> allowedIPs) {
    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        persistentKeepalive = persistentKeepalive == null ? Duration.ZERO : persistentKeepalive;
        allowedIPs = allowedIPs == null ? List.of() : List.copyOf(allowedIPs);
    }

    public PeerConfig withEndpoint(Endpoint e) {
        return new PeerConfig(publicKey, presharedKey, e, persistentKeepalive, allowedIPs);
    }
}
