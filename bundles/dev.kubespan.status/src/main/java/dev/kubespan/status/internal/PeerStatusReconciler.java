package dev.kubespan.status.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.service.log.Logger;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * One pass of peer status tracking (kubespan-node.md §4.2 steps 3-7, §4.3-§4.5): keeps one
 * {@link KubeSpanPeerStatus} per {@link KubeSpanPeerSpec}, polls the device into it, computes the
 * state, moves a peer that is down (or new) to its next candidate endpoint — writing that
 * endpoint into the device at once — and publishes harvested endpoints. The statuses in the
 * store are the only memory between passes, so a restarted bundle continues where it stopped.
 * Not thread-safe: one caller at a time (the controller's reconcile thread).
 */
final class PeerStatusReconciler {
    static final String OWNER = "dev.kubespan.status";
    private static final int MAX_REPORTED = 1024;

    private final ResourceStore store;
    private final WireGuardControl wireGuard;
    private final Clock clock;
    private final Logger log;

    /** Problems already logged, so a bad input is reported once, not on every poll. */
    private final Set<String> reported = new HashSet<>();
    private String lastDeviceError;

    PeerStatusReconciler(ResourceStore store, WireGuardControl wireGuard, Clock clock, Logger log) {
        this.store = store;
        this.wireGuard = wireGuard;
        this.clock = clock;
        this.log = log;
    }

    /** The device as read in this pass; {@code linkPresent} false when the link does not exist (yet). */
    private record Device(boolean linkPresent, Map<Key, dev.kubespan.api.wireguard.PeerState> peers) {
        dev.kubespan.api.wireguard.PeerState peer(Key key) {
            return peers.get(key);
        }
    }

    /**
     * Runs one pass.
     *
     * @return when the next pass is due: the next reconcile tick, or earlier when some peer's
     *         state can change by time alone before then; null while KubeSpan is off
     */
    Instant reconcile() {
        Instant now = clock.instant();
        KubeSpanConfig config = store.get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID)
                .map(Resource::spec).filter(KubeSpanConfig::enabled).orElse(null);
        if (config == null) {
            deleteAllOwned();
            return null;
        }
        PeerStateMachine machine = new PeerStateMachine(
                positive(config.peerDownInterval(), KubeSpanConfig.DEFAULT_DOWN_INTERVAL),
                positive(config.endpointConnectionTimeout(), KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT));

        Map<String, KubeSpanPeerSpec> specs = new TreeMap<>();
        store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN).forEach(r -> specs.put(r.id(), r.spec()));
        Map<String, KubeSpanPeerStatus> previous = new HashMap<>();
        for (Resource<KubeSpanPeerStatus> r : store.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            if (specs.containsKey(r.id())) {
                previous.put(r.id(), r.spec());
            } else {
                store.delete(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, r.id());
            }
        }

        Device device = readDevice();
        Instant next = now.plus(positive(config.peerReconcileInterval(), KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL));
        Map<String, KubeSpanPeerStatus> current = new TreeMap<>();
        for (Map.Entry<String, KubeSpanPeerSpec> e : specs.entrySet()) {
            String id = e.getKey();
            Key key = parseKey(id);
            if (key == null) {
                continue;
            }
            KubeSpanPeerStatus old = previous.getOrDefault(id, new KubeSpanPeerStatus("", e.getValue().label(),
                    PeerState.UNKNOWN, 0, 0, Times.ZERO, "", Times.ZERO));
            KubeSpanPeerStatus status = device == null ? relabel(old, e.getValue())
                    : track(id, key, e.getValue(), old, device, machine, now);
            store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id, status, OWNER);
            current.put(id, status);
            Optional<Instant> wake = machine.nextWake(status.lastEndpointChange(), status.lastHandshakeTime(), now);
            if (wake.isPresent() && wake.get().isBefore(next)) {
                next = wake.get();
            }
        }
        publishHarvest(config.harvestExtraEndpoints(), current);
        return next;
    }

    /** Steps 4-6 of §4.2 for one peer. */
    private KubeSpanPeerStatus track(String id, Key key, KubeSpanPeerSpec spec, KubeSpanPeerStatus old,
            Device device, PeerStateMachine machine, Instant now) {
        dev.kubespan.api.wireguard.PeerState onDevice = device.peer(key);
        Endpoint actualEndpoint = onDevice == null ? null : onDevice.endpoint();
        String actual = actualEndpoint == null ? "" : actualEndpoint.toString();
        Instant handshake = onDevice == null ? Times.ZERO : handshakeTime(onDevice.lastHandshake());
        long rx = onDevice == null ? 0 : onDevice.receiveBytes();
        long tx = onDevice == null ? 0 : onDevice.transmitBytes();
        String lastUsed = old.lastUsedEndpoint();
        Instant lastChange = old.lastEndpointChange();
        PeerState state = machine.stateOf(lastChange, handshake, lastUsed, now);

        if (lastUsed.isEmpty() && state == PeerState.UP && actualEndpoint != null) {
            // A working tunnel this node has no record of (the store was lost, e.g. the container
            // restarted and adopted the running link): keep its endpoint instead of switching to
            // the first candidate. T0 stays zero, so the state follows handshake age only.
            log.info("peer {} ({}): adopting the working endpoint {}", spec.label(), id, actual);
            lastUsed = actual;
        } else if ((state == PeerState.DOWN || lastUsed.isEmpty()) && (onDevice != null || lastUsed.isEmpty())) {
            // Rotating a peer the device does not have would only burn through its candidates;
            // the first pick is still made so the manager has an endpoint to configure it with.
            // The manager already applied KubeSpanConfig.peerEndpointFilters to the spec's endpoints.
            List<Endpoint> candidates = candidates(spec, id);
            Optional<String> chosen = EndpointRotation.next(candidates.stream().map(Endpoint::toString).toList(),
                    lastUsed, actual);
            if (chosen.isPresent()) {
                Endpoint endpoint = candidates.stream().filter(c -> c.toString().equals(chosen.get())).findFirst()
                        .orElseThrow();
                if (applyEndpoint(device, key, endpoint, spec, id)) {
                    log.debug("peer {} ({}): state {}, trying endpoint {} (was '{}')", spec.label(), id, state,
                            chosen.get(), lastUsed);
                    return new KubeSpanPeerStatus(chosen.get(), spec.label(), PeerState.UNKNOWN, rx, tx, handshake,
                            chosen.get(), now);
                }
            }
        }
        return new KubeSpanPeerStatus(actual, spec.label(), state, rx, tx, handshake, lastUsed, lastChange);
    }

    /** Whether the endpoint is now in effect or will be when the manager configures the peer. */
    private boolean applyEndpoint(Device device, Key key, Endpoint endpoint, KubeSpanPeerSpec spec, String id) {
        if (!device.linkPresent()) {
            return true; // the manager configures lastUsedEndpoint when it creates the link
        }
        try {
            wireGuard.updateEndpoints(KubeSpanConfig.LINK_NAME, Map.of(key, endpoint));
            return true;
        } catch (RuntimeException e) {
            // Not recorded, so the next pass tries the same candidate again.
            log.warn("peer {} ({}): cannot set endpoint {}: {}", spec.label(), id, endpoint, e.getMessage());
            return false;
        }
    }

    private Device readDevice() {
        try {
            Optional<DeviceState> state = wireGuard.read(KubeSpanConfig.LINK_NAME);
            Map<Key, dev.kubespan.api.wireguard.PeerState> peers = new HashMap<>();
            state.ifPresent(s -> s.peers().forEach(p -> peers.put(p.publicKey(), p)));
            if (lastDeviceError != null) {
                log.info("reading WireGuard link {} works again", KubeSpanConfig.LINK_NAME);
                lastDeviceError = null;
            }
            return new Device(state.isPresent(), peers);
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.equals(lastDeviceError)) {
                log.warn("cannot read WireGuard link {}; peer states are not updated until it can be read: {}",
                        KubeSpanConfig.LINK_NAME, message);
                lastDeviceError = message;
            }
            return null;
        }
    }

    private static KubeSpanPeerStatus relabel(KubeSpanPeerStatus s, KubeSpanPeerSpec spec) {
        return new KubeSpanPeerStatus(s.endpoint(), spec.label(), s.state(), s.receiveBytes(), s.transmitBytes(),
                s.lastHandshakeTime(), s.lastUsedEndpoint(), s.lastEndpointChange());
    }

    /** The spec's endpoints parsed and in canonical text form, duplicates and bad entries dropped. */
    private List<Endpoint> candidates(KubeSpanPeerSpec spec, String id) {
        LinkedHashSet<Endpoint> out = new LinkedHashSet<>();
        for (String text : spec.endpoints()) {
            try {
                out.add(Endpoint.parse(text));
            } catch (IllegalArgumentException e) {
                reportOnce("peer " + spec.label() + " (" + id + "): candidate endpoint ignored: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private Key parseKey(String id) {
        try {
            return Key.fromBase64(id);
        } catch (IllegalArgumentException e) {
            reportOnce("peer spec '" + id + "' ignored: its id is not a WireGuard public key (" + e.getMessage() + ")");
            return null;
        }
    }

    private void publishHarvest(boolean enabled, Map<String, KubeSpanPeerStatus> statuses) {
        Map<String, KubeSpanEndpoint> wanted = enabled
                ? EndpointHarvest.of(statuses, store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER).stream()
                        .map(Resource::spec).toList())
                : Map.of();
        for (Resource<KubeSpanEndpoint> r : store.list(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN)) {
            if (!wanted.containsKey(r.id())) {
                store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, r.id());
            }
        }
        wanted.forEach((id, e) -> store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, id, e, OWNER));
    }

    private void deleteAllOwned() {
        for (Resource<KubeSpanPeerStatus> r : store.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            store.delete(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, r.id());
        }
        for (Resource<KubeSpanEndpoint> r : store.list(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN)) {
            store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, r.id());
        }
    }

    private void reportOnce(String message) {
        if (reported.size() >= MAX_REPORTED) {
            reported.clear();
        }
        if (reported.add(message)) {
            log.warn("{}", message);
        }
    }

    /** Backends without a handshake may report null or the Unix epoch. */
    private static Instant handshakeTime(Instant t) {
        return t == null || Instant.EPOCH.equals(t) ? Times.ZERO : t;
    }

    private static Duration positive(Duration d, Duration fallback) {
        return d == null || d.isZero() || d.isNegative() ? fallback : d;
    }
}
