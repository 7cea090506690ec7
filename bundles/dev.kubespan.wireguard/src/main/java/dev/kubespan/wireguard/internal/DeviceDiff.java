package dev.kubespan.wireguard.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;

/**
 * The smallest change that turns the current device into the desired one. Pure: no I/O, so the
 * same diff serves the UAPI and (later) the netlink backend.
 *
 * <p>Rules: peers are matched by public key; a peer that needs no change is not mentioned at all
 * (re-sending an unchanged peer would briefly clear its allowed IPs); a desired endpoint of null
 * keeps whatever endpoint the device has (WireGuard roams); a listen port of 0 leaves the port to
 * the device; the device's own public key is never added as a peer (the device ignores it, so
 * it would look "missing" forever).
 */
public final class DeviceDiff {
    public static final int MAX_KEEPALIVE_SECONDS = 65535;
    private static final Key ZERO = Key.fromBytes(new byte[Key.LENGTH]);
    private static final Comparator<Key> BY_BASE64 = Comparator.comparing(Key::toBase64);

    private DeviceDiff() {
    }

    public static DeviceChange compute(DeviceConfig desired, DeviceSnapshot current) {
        Objects.requireNonNull(desired, "desired");
        Objects.requireNonNull(current, "current");
        Key ownPublic = desired.privateKey().publicKey();

        Key privateKey = ownPublic.equals(current.state().publicKey()) ? null : desired.privateKey();
        Integer listenPort = desired.listenPort() != 0 && desired.listenPort() != current.state().listenPort()
                ? desired.listenPort() : null;
        Integer fwmark = desired.fwmark() != current.state().fwmark() ? desired.fwmark() : null;

        Map<Key, PeerConfig> wanted = new LinkedHashMap<>();
        for (PeerConfig p : desired.peers()) {
            if (p.publicKey().equals(ownPublic)) {
                continue;
            }
            if (wanted.putIfAbsent(p.publicKey(), p) != null) {
                throw new IllegalArgumentException("peer " + p.publicKey().toBase64() + " is listed twice");
            }
            checkKeepalive(p);
        }
        Map<Key, DevicePeer> present = new HashMap<>();
        for (DevicePeer s : current.state().peers()) {
            present.put(s.publicKey(), s);
        }

        List<PeerChange> changes = new ArrayList<>();
        present.keySet().stream().filter(k -> !wanted.containsKey(k)).sorted(BY_BASE64)
                .forEach(k -> changes.add(PeerChange.remove(k)));
        for (PeerConfig want : wanted.values()) {
            DevicePeer have = present.get(want.publicKey());
            PeerChange change = have == null ? added(want)
                    : updated(want, have, current.presharedKeys().get(want.publicKey()));
            if (change != null) {
                changes.add(change);
            }
        }
        return new DeviceChange(privateKey, listenPort, fwmark, changes);
    }

    private static PeerChange added(PeerConfig want) {
        Key psk = want.presharedKey() == null || want.presharedKey().isZero() ? null : want.presharedKey();
        return new PeerChange(PeerChange.Kind.ADD, want.publicKey(), psk, want.endpoint(), want.persistentKeepalive(),
                canonical(want.allowedIPs()));
    }

    private static PeerChange updated(PeerConfig want, DevicePeer have, Key currentPsk) {
        Key wantPsk = want.presharedKey() == null || want.presharedKey().isZero() ? null : want.presharedKey();
        Key psk = null;
        if (!Objects.equals(wantPsk, currentPsk) || (wantPsk == null && have.hasPresharedKey())) {
            psk = wantPsk == null ? ZERO : wantPsk;
        }
        Endpoint endpoint = want.endpoint() != null && !want.endpoint().equals(have.endpoint()) ? want.endpoint()
                : null;
        Duration keepalive = want.persistentKeepalive().getSeconds() != have.persistentKeepalive().getSeconds()
                ? want.persistentKeepalive() : null;
        List<IpPrefix> wantIps = canonical(want.allowedIPs());
        List<IpPrefix> allowed = Set.copyOf(wantIps).equals(Set.copyOf(canonical(have.allowedIPs()))) ? null : wantIps;
        if (psk == null && endpoint == null && keepalive == null && allowed == null) {
            return null;
        }
        return new PeerChange(PeerChange.Kind.UPDATE, want.publicKey(), psk, endpoint, keepalive, allowed);
    }

    /** Masked and without duplicates, in the given order: the device stores prefixes masked. */
    static List<IpPrefix> canonical(List<IpPrefix> prefixes) {
        Set<IpPrefix> out = new LinkedHashSet<>();
        for (IpPrefix p : prefixes) {
            out.add(p.masked());
        }
        return List.copyOf(out);
    }

    private static void checkKeepalive(PeerConfig p) {
        long s = p.persistentKeepalive().getSeconds();
        if (s < 0 || s > MAX_KEEPALIVE_SECONDS) {
            throw new IllegalArgumentException("peer " + p.publicKey().toBase64() + ": persistent keepalive " + s
                    + " s is outside 0.." + MAX_KEEPALIVE_SECONDS);
        }
    }
}
