package dev.kubespan.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.RoutingControl;
import dev.kubespan.api.net.Rule;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.KeyFormatException;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * The one writer of the WireGuard device: reconciles the link, its peers, its address, the routes
 * of table 180 and KubeSpan's policy rules with the peer specs and the endpoint decisions in the
 * peer statuses (docs/kubespan-node.md §4.2, §5.2). A peer is added once the status controller has
 * seen it (and chosen its first endpoint, when it has candidates), never before; each endpoint
 * decision is written once ({@link EndpointDecisions}). Everything is read back and diffed
 * first, so an unchanged state causes no write at all. Disabling KubeSpan removes what it created.
 *
 * <p>Right after activation (e.g. a container restart that adopts a running tunnel) inputs are
 * still arriving: during a start-up grace period a missing config does not tear anything down,
 * and device peers without a spec yet are kept rather than removed.
 */
final class DeviceController implements Controller {
    private static final String LINK = KubeSpanConfig.LINK_NAME;
    private static final int SUBNET_BITS = 64;

    /** What of a status matters here: whether its peer is up (routing), and the endpoint decision. */
    private record StatusPart(PeerState state, String lastUsedEndpoint, Instant lastEndpointChange) {
    }

    private final WireGuardControl wireGuard;
    private final RoutingControl routing;
    private final HostNetwork host;
    /** On the monotonic clock: a step of the wall clock at boot (a first NTP sync) neither ends nor prolongs it. */
    private final long graceEndsNanos;
    private long nanoNow;
    private final EndpointDecisions decisions = new EndpointDecisions();
    private Log log;
    private Instant now;

    private boolean sawConfig;
    private Key derivedFrom;
    private Key derivedPublicKey;
    /** The preshared key last applied in this activation; null = not known to be on the device. */
    private Key appliedPsk;

    /** {@code startedNanos}: the runtime's {@code nanoTime()} at start. */
    DeviceController(WireGuardControl wireGuard, RoutingControl routing, HostNetwork host, long startedNanos,
            Duration startupGrace) {
        this.wireGuard = wireGuard;
        this.routing = routing;
        this.host = host;
        this.graceEndsNanos = startedNanos + startupGrace.toNanos();
    }

    @Override
    public String name() {
        return Owners.DEVICE;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN),
                // counters move on every poll; only the state and the endpoint decision matter here
                Input.of(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN).onChangeOf(
                        r -> new StatusPart(r.spec().state(), r.spec().lastUsedEndpoint(), r.spec().lastEndpointChange())),
                Input.of(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG));
    }

    @Override
    public List<Output> outputs() {
        return List.of(); // the device, its address, routes and rules live in the kernel, not in the store
    }

    private boolean inGrace() {
        return nanoNow - graceEndsNanos < 0;
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        log = ctx.log();
        now = ctx.now();
        nanoNow = ctx.nanoTime();
        Owners.tick(ctx);
        if (inGrace()) {
            ctx.wakeIn(Duration.ofNanos(graceEndsNanos - nanoNow));
        }
        Optional<KubeSpanConfig> config = Owners.kubeSpanConfig(ctx);
        if (config.isEmpty()) {
            if (sawConfig || !inGrace()) {
                teardown("KubeSpan is not configured");
            } else {
                log.debug("device: no KubeSpan config yet; leaving the link as it is during start-up");
            }
            return;
        }
        sawConfig = true;
        KubeSpanConfig cfg = config.get();
        if (!cfg.enabled()) {
            teardown("KubeSpan is disabled");
            return;
        }
        Optional<KubeSpanIdentity> identity = ctx.spec(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                KubeSpanIdentity.ID);
        if (identity.isEmpty()) {
            log.debug("device: waiting for the KubeSpan identity");
            return;
        }
        apply(ctx, cfg, identity.get());
    }

    private void apply(ControllerContext ctx, KubeSpanConfig cfg, KubeSpanIdentity identity) {
        Key privateKey = identity.privateKey();
        Key publicKey = publicKeyOf(privateKey);
        Key psk = key(cfg.sharedSecret(), "KubeSpanConfig.sharedSecret (the cluster secret) does not decode to a "
                + "32-byte key, so it cannot serve as the WireGuard preshared key");
        IpPrefix address = new IpPrefix(identity.address().address(), SUBNET_BITS);

        Optional<DeviceState> device = ensureLink(cfg.mtu());

        Map<String, KubeSpanPeerStatus> statuses = new HashMap<>();
        for (Resource<KubeSpanPeerStatus> s : ctx.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            statuses.put(s.id(), s.spec());
        }
        Map<Key, DevicePeer> onDevice = new HashMap<>();
        device.ifPresent(d -> d.peers().forEach(p -> onDevice.put(p.publicKey(), p)));

        decisions.begin();
        Map<Key, PeerConfig> peers = new LinkedHashMap<>();
        Map<Key, String> labels = new HashMap<>();
        List<IpPrefix> routed = new ArrayList<>();
        int waiting = 0;
        for (Resource<KubeSpanPeerSpec> r : ctx.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            Key peerKey;
            try {
                peerKey = Key.fromBase64(r.id());
            } catch (KeyFormatException e) {
                log.warn("device: peer spec '" + r.id() + "' skipped: its id is not a public key: " + e.getMessage());
                continue;
            }
            KubeSpanPeerStatus status = statuses.get(r.id());
            if (status == null) {
                waiting++; // its status (and first endpoint) comes within milliseconds; adding it now would not help
                continue;
            }
            List<IpPrefix> allowed = r.spec().allowedIPs();
            DevicePeer current = onDevice.get(peerKey);
            Endpoint endpoint = decisions.endpoint(peerKey, status, current != null,
                    current == null ? null : current.endpoint());
            Instant hold = decisions.holdUntil(publicKey, peerKey, status, now);
            if (hold != null) {
                ctx.wakeAt(hold);
            }
            peers.put(peerKey, new PeerConfig(peerKey, psk, endpoint, decisions.keepalive(publicKey, peerKey, status, now),
                    allowed));
            labels.put(peerKey, r.spec().label());
            if (cfg.forceRouting() || status.state() == PeerState.UP) {
                routed.addAll(allowed);
            }
        }
        if (waiting > 0) {
            log.debug("device: " + waiting + " peer(s) wait for their status");
        }
        if (inGrace()) {
            keepUnknownPeers(onDevice, peers, psk, statuses, cfg.forceRouting(), routed);
        }
        List<PeerConfig> sorted = new ArrayList<>(peers.values());
        sorted.sort(Comparator.comparing(p -> p.publicKey().toBase64()));
        DeviceConfig desired = new DeviceConfig(privateKey, cfg.listenPort(), KubeSpanConfig.WIREGUARD_FWMARK, sorted);

        Optional<String> difference = DeviceDrift.find(desired, publicKey, device);
        if (difference.isEmpty() && !psk.equals(appliedPsk)) {
            difference = Optional.of("preshared key not yet confirmed in this activation");
        }
        if (difference.isPresent()) {
            log.debug("device: applying " + sorted.size() + " peer(s): " + difference.get());
            wireGuard.apply(LINK, desired);
            appliedPsk = psk;
            logPeerChanges(sorted, onDevice, labels);
        }
        decisions.applied();

        reconcileAddress(address);
        reconcileRouting(RoutingPlan.of(routed,
                ControlPlanePorts.of(ctx.spec(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID)
                        .orElse(null), log),
                cfg.mtu()));
    }

    /** Operators (and the start-up timeline) want to see when a peer enters the device and where it points. */
    private void logPeerChanges(List<PeerConfig> applied, Map<Key, DevicePeer> before,
            Map<Key, String> labels) {
        for (PeerConfig p : applied) {
            DevicePeer was = before.get(p.publicKey());
            String who = labels.getOrDefault(p.publicKey(), "") + " (" + p.publicKey().toBase64() + ")";
            if (was == null) {
                log.info("device: added peer " + who + (p.endpoint() == null ? " without endpoint" : " at " + p.endpoint())
                        + (p.persistentKeepalive().isZero() ? ", holding back its first initiation" : ""));
            } else if (p.endpoint() != null && !p.endpoint().equals(was.endpoint())) {
                log.info("device: peer " + who + " now at " + p.endpoint() + " (was " + was.endpoint() + ")");
            }
        }
    }

    /** Creates, resizes or brings up the link only when it is not already as wanted. */
    private Optional<DeviceState> ensureLink(int mtu) {
        Optional<LinkInfo> link = host.link(LINK);
        Optional<DeviceState> device = Optional.empty();
        if (link.isPresent()) {
            try {
                device = wireGuard.read(LINK);
            } catch (RuntimeException e) {
                // e.g. the link exists but its wireguard-go is gone: ensureLink repairs that
                log.debug("device: reading " + LINK + " failed: " + e.getMessage());
            }
        }
        if (link.isEmpty() || !link.get().up() || link.get().mtu() != mtu || device.isEmpty()) {
            log.debug("device: ensuring link " + LINK + " (mtu " + mtu + ")");
            wireGuard.ensureLink(LINK, mtu);
            device = wireGuard.read(LINK);
        }
        return device;
    }

    /**
     * Keeps device peers that have no spec yet (adopted after a restart, before discovery has
     * delivered their affiliates), so a restart does not cut existing tunnels.
     */
    private void keepUnknownPeers(Map<Key, DevicePeer> onDevice, Map<Key, PeerConfig> peers,
            Key psk, Map<String, KubeSpanPeerStatus> statuses, boolean force, List<IpPrefix> routed) {
        for (DevicePeer p : onDevice.values()) {
            if (peers.containsKey(p.publicKey())) {
                continue;
            }
            peers.put(p.publicKey(), new PeerConfig(p.publicKey(), p.hasPresharedKey() ? psk : null, null,
                    p.persistentKeepalive(), p.allowedIPs()));
            KubeSpanPeerStatus status = statuses.get(p.publicKey().toBase64());
            if (force || (status != null && status.state() == PeerState.UP)) {
                routed.addAll(p.allowedIPs());
            }
        }
    }

    private void reconcileAddress(IpPrefix wanted) {
        boolean present = false;
        List<IpPrefix> stale = new ArrayList<>();
        for (AddressInfo a : host.addresses()) {
            if (!LINK.equals(a.linkName())) {
                continue;
            }
            if (a.prefix().equals(wanted)) {
                present = true;
            } else if (Ula.isKubeSpan(a.prefix().address())) {
                stale.add(a.prefix());
            }
        }
        if (!present) {
            log.debug("device: adding address " + wanted + " to " + LINK);
            routing.addAddress(LINK, wanted);
        }
        for (IpPrefix p : stale) {
            log.info("device: removing stale KubeSpan address " + p + " from " + LINK);
            routing.removeAddress(LINK, p);
        }
    }

    /** Exemptions first, then routes, then the rule that forces traffic into them; stale entries last. */
    private void reconcileRouting(RoutingPlan plan) {
        Set<Rule> rules = new HashSet<>(routing.rules());
        Set<Route> routes = new HashSet<>(routing.routes(KubeSpanConfig.ROUTING_TABLE));
        for (Rule r : plan.exemptRules()) {
            if (!rules.contains(r)) {
                routing.addRule(r);
            }
        }
        Set<IpPrefix> destinations = new HashSet<>();
        for (Route r : plan.routes()) {
            destinations.add(r.destination());
            if (!routes.contains(r)) {
                routing.addRoute(r);
            }
        }
        for (Rule r : plan.forceRules()) {
            if (!rules.contains(r)) {
                routing.addRule(r);
            }
        }
        for (Route r : routes) {
            // a route to a wanted destination with other attributes was replaced by addRoute
            if (!plan.routes().contains(r) && !destinations.contains(r.destination())) {
                routing.removeRoute(r);
            }
        }
        for (Rule r : rules) {
            if (!plan.rules().contains(r)) {
                routing.removeRule(r);
            }
        }
    }

    /** Removes the forcing rules first (nothing black-holed meanwhile), then routes, then the link. */
    private void teardown(String why) {
        appliedPsk = null;
        decisions.forget();
        int removed = 0;
        List<Rule> rules = new ArrayList<>(routing.rules());
        rules.sort(Comparator.comparing(r -> !RoutingPlan.isForceRule(r)));
        for (Rule r : rules) {
            routing.removeRule(r);
            removed++;
        }
        for (Route r : routing.routes(KubeSpanConfig.ROUTING_TABLE)) {
            routing.removeRoute(r);
            removed++;
        }
        if (wireGuard.linkExists(LINK)) {
            wireGuard.deleteLink(LINK);
            removed++;
        }
        if (removed > 0) {
            log.info("device: " + why + ": removed the " + LINK + " link, its routes and rules");
        }
    }

    /** X25519 costs a little; the identity rarely changes. */
    private Key publicKeyOf(Key privateKey) {
        if (!privateKey.equals(derivedFrom)) {
            derivedPublicKey = privateKey.publicKey();
            derivedFrom = privateKey;
        }
        return derivedPublicKey;
    }

    private static Key key(String base64, String problem) {
        try {
            return Key.fromBase64(base64);
        } catch (KeyFormatException e) {
            throw new IllegalStateException(problem + " (" + e.getMessage() + ")");
        }
    }
}
