package dev.kubespan.api.wireguard;

import java.util.List;
import java.util.Objects;

/** The desired device: peers not listed are removed when it is applied. {@code fwmark} 0 means none. */
public record DeviceConfig(Key privateKey, int listenPort, int fwmark, List<PeerConfig> peers) {
    public DeviceConfig {
        Objects.requireNonNull(privateKey, "privateKey");
        peers = peers == null ? List.of() : List.copyOf(peers);
    }
}
