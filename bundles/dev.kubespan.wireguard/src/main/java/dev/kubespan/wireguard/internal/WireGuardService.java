package dev.kubespan.wireguard.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardControl;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;

/**
 * {@link WireGuardControl} over one {@link WireGuardBackend}: applies desired devices as diffs,
 * remembers what was asked for so a recreated device (a restarted wireguard-go) gets it back, and
 * computes a {@link LinkStatus} per link for {@link LinkStatusController}, which it signals after
 * each change. Plain Java, so tests and the benchmark run it without a framework.
 */
public final class WireGuardService implements WireGuardControl, WireGuardBackend.Listener {
    private static final int MIN_MTU = 576;
    private static final int MAX_MTU = 65535;

    private final WireGuardBackend backend;
    private final String backendReason;
    private final Log log;
    private final Map<String, Integer> mtus = new HashMap<>();
    private final Map<String, DeviceConfig> desired = new HashMap<>();
    /** Per link, the newest endpoint known per peer: applied, refreshed, or roamed to (read back). */
    private final Map<String, Map<Key, Endpoint>> endpoints = new HashMap<>();
    /** Per link, the device as last read: recreates an adopted device nobody re-applied yet. */
    private final Map<String, DeviceSnapshot> lastSeen = new HashMap<>();
    private volatile Runnable changed = () -> {
    };
    private boolean adopted;
    private boolean closed;

    public WireGuardService(WireGuardBackend backend, String backendReason, Log log) {
        this.backend = backend;
        this.backendReason = backendReason;
        this.log = log;
        backend.setListener(this);
    }

    /** Called after every change of a link (e.g. to publish its status at once). */
    public void onChange(Runnable signal) {
        this.changed = signal == null ? () -> {
        } : signal;
    }

    /** Adopts what a previous instance left running; does something only the first time it is called. */
    public void adoptOnce() {
        synchronized (this) {
            if (adopted || closed) {
                return;
            }
            adopted = true;
        }
        List<String> found;
        try {
            found = backend.adoptRunning();
        } catch (RuntimeException e) {
            log.error("adopting running WireGuard links failed", e);
            found = List.of();
        }
        if (!found.isEmpty()) {
            log.info("adopted running WireGuard links " + found + " (" + backend.kind() + ")");
        }
    }

    @Override
    public Backend backend() {
        return backend.kind();
    }

    @Override
    public void ensureLink(String link, int mtu) {
        LinkNames.check(link);
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " for link " + link + " is outside " + MIN_MTU + ".."
                    + MAX_MTU);
        }
        try {
            synchronized (this) {
                checkOpen();
                mtus.put(link, mtu);
                backend.ensureLink(link, mtu);
            }
        } finally {
            changed.run();
        }
    }

    @Override
    public boolean linkExists(String link) {
        LinkNames.check(link);
        return backend.linkInfo(link).isPresent();
    }

    @Override
    public void apply(String link, DeviceConfig config) {
        LinkNames.check(link);
        Objects.requireNonNull(config, "config");
        try {
            synchronized (this) {
                checkOpen();
                desired.put(link, config);
                Map<Key, Endpoint> known = endpoints.computeIfAbsent(link, l -> new HashMap<>());
                known.keySet().retainAll(config.peers().stream().map(PeerConfig::publicKey).collect(Collectors.toSet()));
                for (PeerConfig p : config.peers()) {
                    if (p.endpoint() != null) {
                        known.put(p.publicKey(), p.endpoint());
                    }
                }
                applyLocked(link, config);
            }
        } finally {
            changed.run();
        }
    }

    @Override
    public Optional<DeviceState> read(String link) {
        LinkNames.check(link);
        synchronized (this) {
            checkOpen();
            return readLocked(link).map(DeviceSnapshot::state);
        }
    }

    @Override
    public void deleteLink(String link) {
        LinkNames.check(link);
        synchronized (this) {
            checkOpen();
            mtus.remove(link);
            desired.remove(link);
            endpoints.remove(link);
            lastSeen.remove(link);
            backend.deleteLink(link);
        }
        changed.run();
    }

    /** The backend recreated the device empty: give it back its config (on the backend's thread). */
    @Override
    public void recreated(String link) {
        synchronized (this) {
            if (closed) {
                return;
            }
            DeviceConfig config = desired.get(link);
            String source = "the last applied config";
            if (config == null && lastSeen.containsKey(link)) {
                config = lastSeen.get(link).toConfig();
                source = "the config it had when last read";
            }
            if (config == null) {
                log.warn("link " + link + " was recreated, but there is no config to re-apply yet");
            } else {
                try {
                    applyLocked(link, withKnownEndpoints(link, config));
                    log.info("re-applied " + source + " (" + config.peers().size() + " peers) to recreated link " + link);
                } catch (RuntimeException e) {
                    log.error("re-applying the config to recreated link " + link + " failed", e);
                }
            }
        }
        changed.run();
    }

    @Override
    public void changed(String link) {
        changed.run();
    }

    /** The status of every link we know, by link name; empty once closed. */
    public Map<String, LinkStatus> statuses() {
        synchronized (this) {
            if (closed) {
                return Map.of();
            }
            Map<String, LinkStatus> out = new TreeMap<>();
            for (String link : knownLinks()) {
                out.put(link, statusLocked(link));
            }
            return out;
        }
    }

    private Set<String> knownLinks() {
        Set<String> links = new TreeSet<>(backend.links());
        links.addAll(mtus.keySet());
        return links;
    }

    /**
     * Closes the backend; the links stay unless {@code keepLinks} is false. Returns the links it
     * stopped (none when they stay).
     */
    public Set<String> close(boolean keepLinks) {
        Set<String> links;
        synchronized (this) {
            if (closed) {
                return Set.of();
            }
            closed = true;
            links = knownLinks();
        }
        backend.close(keepLinks);
        return keepLinks ? Set.of() : links;
    }

    /** What a link stopped by {@link #close(boolean)} reports until someone recreates it. */
    public LinkStatus stoppedStatus() {
        return new LinkStatus(backend.kind(), false, false, 0, 0, 0, 0,
                "stopped with the bundle (keep.link.on.stop=false)");
    }

    private LinkStatus statusLocked(String link) {
        WireGuardBackend.LinkHealth health = backend.health(link);
        Optional<LinkInfo> info;
        try {
            info = backend.linkInfo(link);
        } catch (RuntimeException e) {
            return new LinkStatus(backend.kind(), false, false, 0, 0, 0, health.pid(),
                    "cannot read link: " + e.getMessage() + "; " + backendReason);
        }
        if (info.isEmpty()) {
            return new LinkStatus(backend.kind(), false, false, 0, 0, 0, health.pid(),
                    health.detail() + "; " + backendReason);
        }
        int listenPort = 0;
        int peers = 0;
        String detail = health.detail();
        try {
            Optional<DeviceSnapshot> s = readLocked(link);
            if (s.isPresent()) {
                listenPort = s.get().state().listenPort();
                peers = s.get().state().peers().size();
            }
        } catch (RuntimeException e) {
            detail = detail + "; cannot read device: " + e.getMessage();
        }
        return new LinkStatus(backend.kind(), true, info.get().up(), info.get().mtu(), listenPort, peers,
                health.pid(), detail + "; " + backendReason);
    }

    private Optional<DeviceSnapshot> readLocked(String link) {
        Optional<DeviceSnapshot> s = backend.read(link);
        s.ifPresent(snapshot -> {
            lastSeen.put(link, snapshot);
            Map<Key, Endpoint> known = endpoints.computeIfAbsent(link, l -> new HashMap<>());
            for (DevicePeer p : snapshot.state().peers()) {
                if (p.endpoint() != null) {
                    known.put(p.publicKey(), p.endpoint());
                }
            }
        });
        return s;
    }

    private void applyLocked(String link, DeviceConfig config) {
        DeviceSnapshot current = readLocked(link).orElseThrow(() -> new WireGuardException(
                "link " + link + " does not exist; call ensureLink first", Errno.ENODEV));
        setLocked(link, DeviceDiff.compute(config, current));
    }

    private void setLocked(String link, DeviceChange change) {
        if (change.isEmpty()) {
            return;
        }
        try {
            backend.set(link, change);
            log.debug("applied to " + link + ": " + change.summary());
        } catch (WireGuardException e) {
            // A set is not transactional: whatever came before the failing line stays applied.
            try {
                readLocked(link);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private DeviceConfig withKnownEndpoints(String link, DeviceConfig config) {
        Map<Key, Endpoint> known = endpoints.getOrDefault(link, Map.of());
        List<PeerConfig> peers = new ArrayList<>();
        for (PeerConfig p : config.peers()) {
            Endpoint e = known.get(p.publicKey());
            peers.add(e != null ? p.withEndpoint(e) : p);
        }
        return new DeviceConfig(config.privateKey(), config.listenPort(), config.fwmark(), peers);
    }

    private Optional<LinkInfo> linkInfo(String link) {
        try {
            return backend.linkInfo(link);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new WireGuardException("WireGuard control is closed", 0);
        }
    }
}
