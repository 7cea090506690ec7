package dev.kubespan.wireguard.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;

/** An in-memory device with WireGuard's set semantics, recording every change it receives. */
final class FakeBackend implements WireGuardBackend {
    final Map<String, Device> devices = new HashMap<>();
    final List<DeviceChange> sets = new ArrayList<>();
    int reads;
    WireGuardException failNextSet;
    Listener listener;

    static final class Device {
        Key privateKey;
        int port;
        int fwmark;
        int mtu = 1420;
        final Map<Key, DevicePeer> peers = new LinkedHashMap<>();
    }

    @Override
    public Backend kind() {
        return Backend.USERSPACE;
    }

    @Override
    public List<String> adoptRunning() {
        return List.copyOf(devices.keySet());
    }

    @Override
    public void ensureLink(String link, int mtu) {
        devices.computeIfAbsent(link, l -> new Device()).mtu = mtu;
    }

    @Override
    public Optional<LinkInfo> linkInfo(String link) {
        Device d = devices.get(link);
        return d == null ? Optional.empty() : Optional.of(new LinkInfo(7, link, "tun", 65534, "", true, d.mtu));
    }

    @Override
    public Optional<DeviceSnapshot> read(String link) {
        reads++;
        Device d = devices.get(link);
        if (d == null) {
            return Optional.empty();
        }
        return Optional.of(new DeviceSnapshot(new DeviceState(link, d.privateKey == null ? null : d.privateKey.publicKey(),
                d.port, d.fwmark, List.copyOf(d.peers.values())), d.privateKey, Map.of()));
    }

    @Override
    public void set(String link, DeviceChange change) {
        sets.add(change);
        Device d = devices.get(link);
        if (change.privateKey() != null) {
            d.privateKey = change.privateKey();
        }
        if (change.listenPort() != null) {
            d.port = change.listenPort();
        }
        if (failNextSet != null) {
            WireGuardException e = failNextSet;
            failNextSet = null;
            throw e;
        }
        if (change.fwmark() != null) {
            d.fwmark = change.fwmark();
        }
        for (PeerChange p : change.peers()) {
            DevicePeer old = d.peers.get(p.publicKey());
            switch (p.kind()) {
            case REMOVE -> d.peers.remove(p.publicKey());
            case ADD, UPDATE -> d.peers.put(p.publicKey(), new DevicePeer(p.publicKey(), false,
                    p.endpoint() != null ? p.endpoint() : old == null ? null : old.endpoint(), null, 0, 0,
                    p.persistentKeepalive() != null ? p.persistentKeepalive()
                            : old == null ? null : old.persistentKeepalive(),
                    p.allowedIPs() != null ? p.allowedIPs() : old == null ? null : old.allowedIPs()));
            }
        }
    }

    @Override
    public void deleteLink(String link) {
        devices.remove(link);
    }

    @Override
    public Set<String> links() {
        return new TreeSet<>(devices.keySet());
    }

    @Override
    public LinkHealth health(String link) {
        return new LinkHealth(devices.containsKey(link) ? 4242 : 0, "fake");
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void close(boolean keepLinks) {
        if (!keepLinks) {
            devices.clear();
        }
    }

    /** A daemon restart: the device comes back empty. */
    /** As WireGuard does when an authenticated packet of the peer arrives from a new address. */
    void roam(String link, Key peer, dev.kubespan.api.net.Endpoint to) {
        DevicePeer old = devices.get(link).peers.get(peer);
        devices.get(link).peers.put(peer, new DevicePeer(peer, old.hasPresharedKey(), to, old.lastHandshake(),
                old.receiveBytes(), old.transmitBytes(), old.persistentKeepalive(), old.allowedIPs()));
    }

    void recreate(String link) {
        Device fresh = new Device();
        fresh.mtu = devices.get(link).mtu;
        devices.put(link, fresh);
        listener.recreated(link);
    }
}
