package dev.kubespan.status.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.Candidates;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.PathProbe;
import dev.kubespan.api.spec.PeerPath;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RelayAllocation;
import dev.kubespan.api.spec.Times;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * Peer status tracking (docs/kubespan-node.md §4.2 steps 3-7, §4.3-§4.5): one
 * {@link KubeSpanPeerStatus} per {@link KubeSpanPeerSpec}, the device polled into it, the state
 * computed, and the endpoint to use decided — the first candidate for a new peer, the next one
 * for a peer that is down. The decision is recorded in the status ({@code lastUsedEndpoint},
 * {@code lastEndpointChange}); the manager's device controller, the only writer of the WireGuard
 * device, applies it. This controller only reads the device.
 *
 * <p>When it polls: right after a peer changed, every 100 ms and slower until it handshakes
 * ({@link HandshakeProbe}); every {@link ReceiveActivity#POLL} while a peer is up, to see that
 * it still answers ({@link ReceiveActivity}); exactly when a state can change by time alone; and every
 * {@code peerReconcileInterval} otherwise. Statuses whose only change is the byte counters are
 * written at most once per {@code peerReconcileInterval}, as before these faster polls.
 */
final class PeerStatusController implements Controller {
    static final String NAME = "dev.kubespan.status/peer-status";

    /** How long a fresh peer of ours is probed before a relayed candidate of it is tried. */
    static final Duration RELAY_AFTER = Duration.ofSeconds(5);
    /** WireGuard's REJECT_AFTER_TIME: a session older than this carries nothing. */
    static final Duration SESSION_LIFETIME = Duration.ofSeconds(180);
    /** After a switch, how long packets that were on their way through the relay may still arrive. */
    static final Duration SWITCH_SETTLES = Duration.ofSeconds(1);

    private final WireGuardControl wireGuard;
    private final HostNetwork host;
    private final LivenessProbe probe;
    private final ReceiveActivity activity = new ReceiveActivity();
    /** When this instance first saw each peer: a new peer is probed even without an endpoint of ours. */
    private final Map<Key, Instant> firstSeen = new HashMap<>();
    /** When each status was last written with fresh counters. */
    private final Map<String, Instant> countersWritten = new HashMap<>();
    /** The switch (its T0) after which each peer was sent a liveness probe over its new direct path. */
    private final Map<Key, Instant> switchProbed = new HashMap<>();
    /** Ages are measured on this timeline, not on the wall clock: see {@link SteadyTime}. */
    private SteadyTime timeline;
    private final SteadyTime.Stamps<Key> handshakes = new SteadyTime.Stamps<>();
    private final SteadyTime.Stamps<Key> changes = new SteadyTime.Stamps<>();
    private final SteadyTime.Stamps<String> probeAnswers = new SteadyTime.Stamps<>();
    private String lastDeviceError;

    PeerStatusController(WireGuardControl wireGuard, HostNetwork host, LivenessProbe probe) {
        this.wireGuard = wireGuard;
        this.host = host;
        this.probe = probe;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN),
                // affiliates only for harvesting: who is behind a public key
                // affiliates for harvesting (who is behind a public key) and for whether a peer answers path probes
                Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)
                        .onChangeOf(r -> List.of(Optional.ofNullable(r.spec().kubespan()), r.spec().operatingSystem())),
                // a direct path found by the NAT bundle's probes, the relays, this node's own allocation
                Input.of(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN)
                        .onChangeOf(r -> List.of(r.spec().relayedEndpoint(), r.spec().proxies())),
                // the link appearing or gaining peers is the moment a chosen endpoint takes effect
                Input.of(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.KUBESPAN_PEER_STATUS),
                Output.exclusive(ResourceTypes.KUBESPAN_ENDPOINT));
    }

    /** The device as read in this pass; {@code linkPresent} false when the link does not exist (yet). */
    private record Device(boolean linkPresent, Map<Key, DevicePeer> peers) {
        DevicePeer peer(Key key) {
            return peers.get(key);
        }
    }

    private record Settings(PeerStateMachine machine, Duration tick, Duration connectionTimeout) {
    }

    /**
     * What decides a peer's path beyond Talos' rules: which peers answer path probes (ours), what
     * the probes found, which addresses are relays', this node's own relay proxies, its subnets.
     */
    private record Paths(java.util.Set<String> ours, Map<String, PathProbe> probes, java.util.Set<String> relayHosts,
            Map<String, String> proxies, List<IpPrefix> prefixes) {

        static Paths of(ControllerContext ctx, HostNetwork host) {
            java.util.Set<String> ours = new java.util.HashSet<>();
            for (Resource<Affiliate> a : ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
                if (a.spec().kubespan() != null && a.spec().answersPathProbes()) {
                    ours.add(a.spec().kubespan().publicKey().toBase64());
                }
            }
            Map<String, PathProbe> probes = new HashMap<>();
            ctx.list(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN).forEach(r -> probes.put(r.id(), r.spec()));
            java.util.Set<String> relays = new java.util.HashSet<>();
            ctx.spec(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID).ifPresent(n -> relays.addAll(n.relayHosts()));
            Map<String, String> proxies = new HashMap<>();
            for (Resource<RelayAllocation> r : ctx.list(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN)) {
                if (!r.spec().relayedEndpoint().isEmpty()) {
                    relays.add(NatConfig.host(r.spec().relayedEndpoint()));
                    for (String p : r.spec().proxies()) {
                        int eq = p.indexOf('=');
                        if (eq > 0) {
                            proxies.put(p.substring(0, eq), r.spec().relayedEndpoint());
                        }
                    }
                }
            }
            List<IpPrefix> prefixes = new java.util.ArrayList<>();
            if (host != null) {
                for (AddressInfo a : host.addresses()) {
                    if (!KubeSpanConfig.LINK_NAME.equals(a.linkName()) && a.scope() == AddressInfo.SCOPE_GLOBAL) {
                        prefixes.add(a.prefix());
                    }
                }
            }
            return new Paths(ours, probes, relays, proxies, prefixes);
        }

        /** The relayed address a path goes through, or "" for a direct one. */
        String via(String actual) {
            if (actual.isEmpty()) {
                return "";
            }
            String proxied = proxies.get(actual);
            if (proxied != null) {
                return proxied;
            }
            return relayHosts.contains(NatConfig.host(actual)) ? actual : "";
        }
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Instant wallNow = ctx.now();
        long nanoNow = ctx.nanoTime();
        if (timeline == null) {
            timeline = new SteadyTime(wallNow, nanoNow);
        }
        SteadyTime.Now now = new SteadyTime.Now(wallNow, timeline.at(nanoNow));
        KubeSpanConfig config = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID)
                .filter(KubeSpanConfig::enabled).orElse(null);
        if (config == null) {
            ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, List.of());
            ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, List.of());
            firstSeen.clear();
            countersWritten.clear();
            activity.retain(java.util.Set.of());
            handshakes.clear();
            changes.clear();
            probeAnswers.clear();
            return;
        }
        Duration timeout = positive(config.endpointConnectionTimeout(), KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT);
        Settings settings = new Settings(new PeerStateMachine(
                positive(config.peerDownInterval(), KubeSpanConfig.DEFAULT_DOWN_INTERVAL), timeout),
                positive(config.peerReconcileInterval(), KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL), timeout);

        Map<String, KubeSpanPeerSpec> specs = new TreeMap<>();
        ctx.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN).forEach(r -> specs.put(r.id(), r.spec()));
        Map<String, KubeSpanPeerStatus> previous = new HashMap<>();
        for (Resource<KubeSpanPeerStatus> r : ctx.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            previous.put(r.id(), r.spec());
        }
        ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, specs.keySet());
        countersWritten.keySet().retainAll(specs.keySet());

        Device device = readDevice(ctx.log());
        Paths paths = Paths.of(ctx, host);
        Instant next = now.steady().plus(settings.tick());
        Map<String, KubeSpanPeerStatus> current = new TreeMap<>();
        Map<Key, Instant> seenNow = new HashMap<>();
        for (Map.Entry<String, KubeSpanPeerSpec> e : specs.entrySet()) {
            String id = e.getKey();
            Key key = parseKey(id, ctx.log());
            if (key == null) {
                continue;
            }
            seenNow.put(key, firstSeen.getOrDefault(key, now.steady()));
            KubeSpanPeerStatus old = previous.getOrDefault(id, new KubeSpanPeerStatus("", e.getValue().label(),
                    PeerState.UNKNOWN, 0, 0, Times.ZERO, "", Times.ZERO, PeerPath.DIRECT, ""));
            KubeSpanPeerStatus status = device == null ? relabel(old, e.getValue())
                    : track(id, key, e.getValue(), old, device, settings.machine(), paths, now, ctx.log());
            write(ctx, id, old, status, previous.containsKey(id), settings.tick(), now.steady());
            current.put(id, status);
            next = earliest(next, nextPoll(key, status, seenNow.get(key), settings, now));
        }
        firstSeen.clear();
        firstSeen.putAll(seenNow);
        activity.retain(seenNow.keySet());
        switchProbed.keySet().retainAll(seenNow.keySet());
        handshakes.retain(seenNow.keySet());
        changes.retain(seenNow.keySet());
        probeAnswers.retain(specs.keySet());
        publishHarvest(ctx, config.harvestExtraEndpoints(), current);
        ctx.wakeAt(now.onWallClock(next));
    }

    /** Writes a status, except when only its counters changed and they were written less than a tick ago. */
    private void write(ControllerContext ctx, String id, KubeSpanPeerStatus old, KubeSpanPeerStatus status,
            boolean existed, Duration tick, Instant now) {
        boolean onlyCounters = existed && sameButCounters(old, status);
        Instant written = countersWritten.get(id);
        if (onlyCounters && written != null && now.isBefore(written.plus(tick))) {
            return;
        }
        ctx.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id, status);
        countersWritten.put(id, now);
    }

    private static boolean sameButCounters(KubeSpanPeerStatus a, KubeSpanPeerStatus b) {
        return a.endpoint().equals(b.endpoint()) && a.label().equals(b.label()) && a.state() == b.state()
                && a.lastHandshakeTime().equals(b.lastHandshakeTime()) && a.lastUsedEndpoint().equals(b.lastUsedEndpoint())
                && a.lastEndpointChange().equals(b.lastEndpointChange()) && a.path().equals(b.path())
                && a.relayedVia().equals(b.relayedVia());
    }

    /**
     * The earliest moment (on the timeline) this peer needs another look; null when the regular
     * tick will do.
     */
    private Instant nextPoll(Key key, KubeSpanPeerStatus status, Instant seenSince, Settings settings,
            SteadyTime.Now now) {
        Instant change = changes.place(key, status.lastEndpointChange(), now);
        Instant handshake = handshakes.place(key, status.lastHandshakeTime(), now);
        Instant next = settings.machine().nextWake(change, handshake, now.steady()).orElse(null);
        Instant since = Times.isZero(change) || change.isBefore(seenSince) ? seenSince : change;
        next = earliest(next, HandshakeProbe.next(since, handshake, settings.connectionTimeout(), now.steady()));
        if (status.state() == PeerState.UP) {
            next = earliest(next, now.steady().plus(ReceiveActivity.POLL));
            Instant check = activity.nextCheck(key);
            if (check != null && check.isAfter(now.steady())) {
                next = earliest(next, check);
            }
        }
        return next;
    }

    /** Steps 4-6 of docs/kubespan-node.md §4.2 for one peer, and its path. */
    private KubeSpanPeerStatus track(String id, Key key, KubeSpanPeerSpec spec, KubeSpanPeerStatus old,
            Device device, PeerStateMachine machine, Paths paths, SteadyTime.Now now, Log log) {
        DevicePeer onDevice = device.peer(key);
        Endpoint actualEndpoint = onDevice == null ? null : onDevice.endpoint();
        String actual = actualEndpoint == null ? "" : actualEndpoint.toString();
        // shown as WireGuard reports them (wall clock); compared on the timeline
        Instant handshakeWall = onDevice == null ? Times.ZERO : handshakeTime(onDevice.lastHandshake());
        Instant handshake = handshakes.place(key, handshakeWall, now);
        long rx = onDevice == null ? 0 : onDevice.receiveBytes();
        long tx = onDevice == null ? 0 : onDevice.transmitBytes();
        if (onDevice != null) {
            activity.observe(key, rx, now.steady());
        }
        String lastUsed = old.lastUsedEndpoint();
        Instant lastChange = old.lastEndpointChange();
        Instant change = changes.place(key, lastChange, now);
        PeerState state = machine.stateOf(change, handshake, lastUsed, now.steady());
        boolean ours = paths.ours().contains(id);
        if (state != PeerState.UP && ours && sessionMoved(old, lastUsed, actual, change, handshake, now.steady())) {
            if (activity.grewAfter(key, change.plus(SWITCH_SETTLES))) {
                state = PeerState.UP;
            } else if (!now.steady().isBefore(change.plus(SWITCH_SETTLES))
                    && !change.equals(switchProbed.put(key, change))) {
                probe(spec, id, log); // something to carry over the new path at once: the peer's answer proves it
            }
        }
        if (state == PeerState.UP && onDevice != null) {
            switch (activity.check(key, now.steady())) {
                case PROBE -> probe(spec, id, log);
                case SILENT -> {
                    log.warn("peer " + spec.label() + " (" + id + "): no answer to liveness probes for "
                            + ReceiveActivity.ANSWER_WITHIN.toSeconds() + " s: down");
                    state = PeerState.DOWN;
                }
                case FINE -> {
                }
            }
        }
        String via = paths.via(actual);
        PeerPath path = state == PeerState.UP ? (via.isEmpty() ? PeerPath.DIRECT : PeerPath.RELAYED)
                : old.path();
        List<Endpoint> candidates = Candidates.order(spec.endpoints().stream().distinct().toList(), paths.prefixes(),
                paths.relayHosts());

        if (lastUsed.isEmpty() && state == PeerState.UP && actualEndpoint != null) {
            // A working tunnel this node has no record of (the store was lost, e.g. the container
            // restarted and adopted the running link), or a peer that reached this node by itself
            // (through the relay): keep its endpoint. T0 stays, so the state follows the handshake.
            log.info("peer " + spec.label() + " (" + id + "): adopting the working endpoint " + actual
                    + (via.isEmpty() ? "" : " (relayed via " + via + ")"));
            lastUsed = actual;
        } else if (ours) {
            KubeSpanPeerStatus decided = decideOurs(id, spec, old, change, state, actual, via, candidates, paths,
                    onDevice != null, rx, tx, handshakeWall, now, log);
            if (decided != null) {
                return decided;
            }
        } else if ((state == PeerState.DOWN || lastUsed.isEmpty()) && (onDevice != null || lastUsed.isEmpty())) {
            // Talos' rotation, over the candidates best first. Rotating a peer the device does not
            // have would only burn through its candidates; the first pick is made without it, since
            // the device controller adds a peer only once it has one. The manager already applied
            // KubeSpanConfig.peerEndpointFilters to the spec.
            Optional<String> chosen = EndpointRotation.next(candidates.stream().map(Endpoint::toString).toList(),
                    lastUsed, actual);
            if (chosen.isPresent()) {
                log.debug("peer " + spec.label() + " (" + id + "): state " + state + ", trying endpoint " + chosen.get()
                        + " (was '" + lastUsed + "')");
                return decision(actual, spec, rx, tx, handshakeWall, chosen.get(), now.wall(), paths.via(chosen.get()));
            }
        }
        if (state != old.state() && (state == PeerState.UP || old.state() == PeerState.UP)) {
            log.info("peer " + spec.label() + " (" + id + "): " + old.state() + " -> " + state
                    + (actual.isEmpty() ? "" : " via " + actual)
                    + (state == PeerState.UP ? " (handshake " + handshakeWall + ", " + (via.isEmpty() ? "direct"
                            : "relayed via " + via) + ")" : ""));
        }
        return new KubeSpanPeerStatus(actual, spec.label(), state, rx, tx, handshakeWall, lastUsed, lastChange, path,
                PeerPath.RELAYED == path ? via.isEmpty() ? old.relayedVia() : via : "");
    }

    /**
     * A peer of ours (it answers path probes): never Talos' blind rotation, which keeps sending
     * WireGuard handshakes at NAT candidates at times of its own and so keeps a collision-prone
     * router's stale entries alive. Instead: a candidate on our own subnet at once; otherwise
     * probing (no endpoint on the device) until the NAT bundle's synchronized probes find a direct
     * path; a relayed candidate of the peer when probing has not found one for {@link #RELAY_AFTER};
     * and from a relayed path back to a direct one as soon as a probe finds it. Returns null when
     * nothing is to be decided now. {@code change} is the old status' T0 on the timeline.
     */
    private KubeSpanPeerStatus decideOurs(String id, KubeSpanPeerSpec spec, KubeSpanPeerStatus old, Instant change,
            PeerState state, String actual, String via, List<Endpoint> candidates, Paths paths, boolean onDevice,
            long rx, long tx, Instant handshake, SteadyTime.Now now, Log log) {
        PathProbe found = paths.probes().get(id);
        boolean wantsPath = state != PeerState.UP || !via.isEmpty();
        if (wantsPath && found != null && !found.reachableAt().isEmpty()
                && probeAnswers.place(id, found.answeredAt(), now).isAfter(change)
                && !found.reachableAt().equals(actual)) {
            log.info("peer " + spec.label() + " (" + id + "): a direct path answers at " + found.reachableAt()
                    + (via.isEmpty() ? "" : "; leaving the relay " + via));
            return decision(actual, spec, rx, tx, handshake, found.reachableAt(), now.wall(), "");
        }
        List<String> relayed = candidates.stream().filter(e -> Candidates.rank(e, List.of(), paths.relayHosts())
                == Candidates.RELAY).map(Endpoint::toString).toList();
        String lastUsed = old.lastUsedEndpoint();
        if (lastUsed.isEmpty() && PeerPath.PROBING != old.path()) {
            Optional<Endpoint> near = candidates.stream()
                    .filter(e -> Candidates.rank(e, paths.prefixes(), paths.relayHosts()) == Candidates.SAME_SUBNET)
                    .findFirst();
            if (near.isPresent()) {
                return decision(actual, spec, rx, tx, handshake, near.get().toString(), now.wall(), "");
            }
            log.info("peer " + spec.label() + " (" + id + "): no candidate on this node's subnets; probing "
                    + candidates.size() + " candidate(s) for a direct path");
            return new KubeSpanPeerStatus(actual, spec.label(), PeerState.UNKNOWN, rx, tx, handshake, "", now.wall(),
                    PeerPath.PROBING, "");
        }
        boolean probingLongEnough = PeerPath.PROBING == old.path() && lastUsed.isEmpty()
                && !now.steady().isBefore(change.plus(RELAY_AFTER));
        boolean down = state == PeerState.DOWN && onDevice;
        if ((probingLongEnough || down) && !relayed.isEmpty()) {
            Optional<String> next = EndpointRotation.next(relayed, relayed.contains(lastUsed) ? lastUsed : "", actual);
            if (next.isPresent() && !(next.get().equals(lastUsed) && state != PeerState.DOWN)) {
                log.info("peer " + spec.label() + " (" + id + "): no direct path found; trying its relayed address "
                        + next.get());
                return decision(actual, spec, rx, tx, handshake, next.get(), now.wall(), next.get());
            }
        }
        if (down && PeerPath.PROBING != old.path()) {
            log.info("peer " + spec.label() + " (" + id + "): down; probing its candidates for a path");
            return new KubeSpanPeerStatus(actual, spec.label(), state, rx, tx, handshake, lastUsed,
                    old.lastEndpointChange(), PeerPath.PROBING, "");
        }
        return null;
    }

    /**
     * Whether a peer of ours was moved to a direct path with its WireGuard session alive (it left the
     * relay). No handshake follows such a switch — WireGuard keeps the session across an endpoint
     * change, the next handshake comes with the rekey, up to 2 min later — so the proof that the
     * path works is the peer's packets instead: WireGuard sets the endpoint to the source of the
     * last authenticated packet, so the device still showing the direct endpoint while the receive
     * counter grew at a poll {@link #SWITCH_SETTLES} or more after the switch (not merely packets of
     * the relay still on their way) means the peer is heard there. A liveness probe sent then makes
     * the peer answer over the new path even when no traffic flows.
     */
    private static boolean sessionMoved(KubeSpanPeerStatus old, String lastUsed, String actual, Instant change,
            Instant handshake, Instant now) {
        return old.path() == PeerPath.DIRECT && !lastUsed.isEmpty() && lastUsed.equals(actual)
                && !Times.isZero(handshake) && !handshake.isAfter(change)
                && Duration.between(handshake, now).compareTo(SESSION_LIFETIME) < 0;
    }

    /** A new endpoint decision: its time is the new T0. */
    private static KubeSpanPeerStatus decision(String actual, KubeSpanPeerSpec spec, long rx, long tx, Instant handshake,
            String endpoint, Instant now, String via) {
        return new KubeSpanPeerStatus(actual, spec.label(), PeerState.UNKNOWN, rx, tx, handshake, endpoint, now,
                via.isEmpty() ? PeerPath.DIRECT : PeerPath.RELAYED, via);
    }

    private void probe(KubeSpanPeerSpec spec, String id, Log log) {
        try {
            probe.send(spec.address());
        } catch (IOException | RuntimeException e) {
            log.warn("peer " + spec.label() + " (" + id + "): cannot send a liveness probe to " + IpLiterals.format(spec.address()) + ": "
                    + e.getMessage());
        }
    }

    private Device readDevice(Log log) {
        try {
            Optional<DeviceState> state = wireGuard.read(KubeSpanConfig.LINK_NAME);
            Map<Key, DevicePeer> peers = new HashMap<>();
            state.ifPresent(s -> s.peers().forEach(p -> peers.put(p.publicKey(), p)));
            if (lastDeviceError != null) {
                log.info("reading WireGuard link " + KubeSpanConfig.LINK_NAME + " works again");
                lastDeviceError = null;
            }
            return new Device(state.isPresent(), peers);
        } catch (RuntimeException e) {
            lastDeviceError = String.valueOf(e.getMessage());
            log.warn("cannot read WireGuard link " + KubeSpanConfig.LINK_NAME
                    + "; peer states are not updated until it can be read: " + lastDeviceError);
            return null;
        }
    }

    private static KubeSpanPeerStatus relabel(KubeSpanPeerStatus s, KubeSpanPeerSpec spec) {
        return new KubeSpanPeerStatus(s.endpoint(), spec.label(), s.state(), s.receiveBytes(), s.transmitBytes(),
                s.lastHandshakeTime(), s.lastUsedEndpoint(), s.lastEndpointChange(), s.path(), s.relayedVia());
    }

    private static Key parseKey(String id, Log log) {
        try {
            return Key.fromBase64(id);
        } catch (IllegalArgumentException e) {
            log.warn("peer spec '" + id + "' ignored: its id is not a WireGuard public key (" + e.getMessage() + ")");
            return null;
        }
    }

    private static void publishHarvest(ControllerContext ctx, boolean enabled, Map<String, KubeSpanPeerStatus> statuses) {
        Map<String, KubeSpanEndpoint> wanted = enabled
                ? EndpointHarvest.of(statuses, ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER).stream()
                        .map(Resource::spec).toList())
                : Map.of();
        ctx.deleteOwnedExcept(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, wanted.keySet());
        wanted.forEach((id, e) -> ctx.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, id, e));
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /** Backends without a handshake may report null or the Unix epoch. */
    private static Instant handshakeTime(Instant t) {
        return t == null || Instant.EPOCH.equals(t) ? Times.ZERO : t;
    }

    private static Duration positive(Duration d, Duration fallback) {
        return d == null || d.isZero() || d.isNegative() ? fallback : d;
    }
}
