package dev.kubespan.manager.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;

/**
 * Whether the device has drifted from the desired one, so that an unchanged device is not written
 * to at all. A desired peer without an endpoint matches any endpoint on the device. This is the
 * coarse check a reader of {@link DeviceState} can make (it carries no preshared keys, only whether
 * a peer has one); the change itself, down to each peer's fields, is computed by the WireGuard
 * bundle's {@code DeviceDiff} when the device controller applies the desired device.
 */
final class DeviceDrift {
    private DeviceDrift() {
    }

    /** The first difference found, or empty when the device already matches. */
    static Optional<String> find(DeviceConfig desired, Key expectedPublicKey, Optional<DeviceState> actual) {
        if (actual.isEmpty()) {
            return Optional.of("device not present");
        }
        DeviceState s = actual.get();
        if (!Objects.equals(s.publicKey(), expectedPublicKey)) {
            return Optional.of("private key differs");
        }
        if (s.listenPort() != desired.listenPort()) {
            return Optional.of("listen port " + s.listenPort() + " instead of " + desired.listenPort());
        }
        if (s.fwmark() != desired.fwmark()) {
            return Optional.of("fwmark " + s.fwmark() + " instead of " + desired.fwmark());
        }
        Map<Key, DevicePeer> peers = new HashMap<>();
        for (DevicePeer p : s.peers()) {
            peers.put(p.publicKey(), p);
        }
        for (PeerConfig want : desired.peers()) {
            DevicePeer have = peers.remove(want.publicKey());
            String who = want.publicKey().toBase64();
            if (have == null) {
                return Optional.of("peer " + who + " missing");
            }
            if (!masked(have.allowedIPs()).equals(masked(want.allowedIPs()))) {
                return Optional.of("peer " + who + " allowed IPs differ");
            }
            if (!have.persistentKeepalive().equals(want.persistentKeepalive())) {
                return Optional.of("peer " + who + " keepalive differs");
            }
            if (have.hasPresharedKey() != (want.presharedKey() != null)) {
                return Optional.of("peer " + who + " preshared key presence differs");
            }
            if (want.endpoint() != null && !want.endpoint().equals(have.endpoint())) {
                return Optional.of("peer " + who + " endpoint " + have.endpoint() + " instead of " + want.endpoint());
            }
        }
        if (!peers.isEmpty()) {
            return Optional.of(peers.size() + " peer(s) to remove");
        }
        return Optional.empty();
    }

    private static Set<IpPrefix> masked(List<IpPrefix> prefixes) {
        Set<IpPrefix> out = new HashSet<>();
        for (IpPrefix p : prefixes) {
            out.add(p.masked());
        }
        return out;
    }
}
