package dev.kubespan.api.wireguard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;

/**
 * One peer as the device reports it. {@code endpoint} is null when the device has none;
 * {@code lastHandshake} is null when there was no handshake yet.
 */
public record DevicePeer(Key publicKey, boolean hasPresharedKey, Endpoint endpoint, Instant lastHandshake,
        long receiveBytes, long transmitBytes, Duration persistentKeepalive, List<IpPrefix> allowedIPs) {
    public DevicePeer {
        persistentKeepalive = persistentKeepalive == null ? Duration.ZERO : persistentKeepalive;
        allowedIPs = allowedIPs == null ? List.of() : List.copyOf(allowedIPs);
    }
}
