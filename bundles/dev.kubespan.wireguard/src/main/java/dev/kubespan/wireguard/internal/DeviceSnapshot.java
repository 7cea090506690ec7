package dev.kubespan.wireguard.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;

/**
 * The device as a backend read it: the public {@link DeviceState} plus what {@code DeviceState}
 * does not carry but the diff and a restart need: the private key and the peers' preshared keys.
 * Held in memory only; {@link Key#toString()} is redacted.
 *
 * @param privateKey null when the device has none
 * @param presharedKeys peer public key to its non-zero preshared key; peers without one are absent
 */
public record DeviceSnapshot(DeviceState state, Key privateKey, Map<Key, Key> presharedKeys) {
    public DeviceSnapshot {
        Objects.requireNonNull(state, "state");
        presharedKeys = presharedKeys == null ? Map.of() : Map.copyOf(presharedKeys);
    }

    /** The configuration that recreates this device, or null when it has no private key. */
    public DeviceConfig toConfig() {
        if (privateKey == null || privateKey.isZero()) {
            return null;
        }
        List<PeerConfig> peers = new ArrayList<>();
        for (DevicePeer p : state.peers()) {
            peers.add(new PeerConfig(p.publicKey(), presharedKeys.get(p.publicKey()), p.endpoint(),
                    p.persistentKeepalive(), p.allowedIPs()));
        }
        return new DeviceConfig(privateKey, state.listenPort(), state.fwmark(), peers);
    }
}
