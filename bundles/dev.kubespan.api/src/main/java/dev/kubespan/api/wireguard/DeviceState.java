package dev.kubespan.api.wireguard;

import java.util.List;

/** The device as read back; {@code publicKey} is null when no private key is set. */
public record DeviceState(String link, Key publicKey, int listenPort, int fwmark, List<DevicePeer> peers) {
    public DeviceState {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }
}
