package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardControl;

/** A device in memory, as the status controller sees it: read only. */
final class FakeWireGuard implements WireGuardControl {
    boolean linkPresent = true;
    final Map<Key, DevicePeer> peers = new LinkedHashMap<>();
    RuntimeException failRead;
    final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

    /** Adds or replaces a peer. {@code handshake} null means none. */
    synchronized void peer(Key key, String endpoint, Instant handshake, long rx, long tx) {
        peers.put(key, new DevicePeer(key, true, endpoint == null ? null : Endpoint.parse(endpoint), handshake, rx, tx,
                Duration.ofSeconds(25), List.of()));
    }

    /** Packets came and went: the counters grow. */
    synchronized void traffic(Key key, long rx, long tx) {
        DevicePeer p = peers.get(key);
        peers.put(key, new DevicePeer(key, true, p.endpoint(), p.lastHandshake(), p.receiveBytes() + rx,
                p.transmitBytes() + tx, p.persistentKeepalive(), p.allowedIPs()));
    }

    /** What the device controller does with a decision of the status controller. */
    synchronized void setEndpoint(Key key, String endpoint) {
        DevicePeer p = peers.get(key);
        peers.put(key, new DevicePeer(key, true, endpoint == null ? null : Endpoint.parse(endpoint), p.lastHandshake(),
                p.receiveBytes(), p.transmitBytes(), p.persistentKeepalive(), p.allowedIPs()));
    }

    synchronized void handshake(Key key, Instant at) {
        DevicePeer p = peers.get(key);
        peers.put(key, new DevicePeer(key, true, p.endpoint(), at, p.receiveBytes() + 148, p.transmitBytes() + 92,
                p.persistentKeepalive(), p.allowedIPs()));
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }

    @Override
    public void ensureLink(String link, int mtu) {
        throw new UnsupportedOperationException("the status bundle must not create links");
    }

    @Override
    public boolean linkExists(String link) {
        return linkPresent;
    }

    @Override
    public void apply(String link, DeviceConfig desired) {
        throw new UnsupportedOperationException("the status bundle must not apply device configs");
    }

    @Override
    public synchronized Optional<DeviceState> read(String link) {
        reads.incrementAndGet();
        if (failRead != null) {
            throw failRead;
        }
        if (!linkPresent || !"kubespan".equals(link)) {
            return Optional.empty();
        }
        return Optional.of(new DeviceState(link, null, 51820, 0x20, new ArrayList<>(peers.values())));
    }

    @Override
    public void deleteLink(String link) {
        throw new UnsupportedOperationException("the status bundle must not delete links");
    }
}
