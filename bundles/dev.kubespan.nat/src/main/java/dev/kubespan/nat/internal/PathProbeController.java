package dev.kubespan.nat.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.net.Candidates;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.PathProbe;
import dev.kubespan.api.spec.PeerState;

/**
 * Probes direct paths to the peers of ours that have none ({@code probing}, {@code down}, or
 * {@code relayed}), in time windows both ends compute alike from the wall clock, so that both
 * open their NATs toward each other before either one's probe arrives:
 *
 * <ol>
 * <li>at the window's start, a <em>punch</em> to every direct candidate, whose hop limit (2) lets
 * it pass this node's own NAT — creating the mapping — but not reach the far end's router, where
 * it would leave a conntrack entry that blocks the far end's own mapping (the collision case);</li>
 * <li>{@link #PROBE_AFTER} later, the authenticated probes themselves ({@link PortProbes}); an
 * answer, or the peer's own probe, names an address at which the peer is reachable now, written to
 * {@link PathProbe} for the status controller to decide on.</li>
 * </ol>
 *
 * Windows: a peer that needs a path gets {@link #FAST_WINDOWS} windows on a {@link #FAST} grid
 * (both ends learn of each other within milliseconds, so they pick the same window); after that,
 * and for relayed peers, one window on a {@link #SLOW} grid at least {@link #QUIET} after the last
 * one, so that any conntrack entry a failed attempt left on a router (30 s for unanswered UDP) is
 * gone. Peers that do not run this product (Talos) are not probed: they rotate endpoints instead.
 */
final class PathProbeController implements Controller {
    static final String NAME = "dev.kubespan.nat/path-probe";
    static final Duration FAST = Duration.ofSeconds(2);
    static final int FAST_WINDOWS = 2;
    static final Duration SLOW = Duration.ofSeconds(32);
    static final Duration QUIET = Duration.ofSeconds(31);
    /** Long enough for the far end's punch to leave even when its pass runs late on a busy machine. */
    static final Duration PROBE_AFTER = Duration.ofSeconds(1);
    static final int PUNCH_HOPS = 2;

    private static final class Plan {
        final Instant needSince;
        Instant window;
        boolean punched;
        int windows;
        Instant lastWindow;
        /** The direct candidates last probed; a new one gives a relayed peer fast windows again. */
        List<InetSocketAddress> candidates = List.of();
        boolean renewed;

        Plan(Instant needSince) {
            this.needSince = needSince;
        }
    }

    private final PortProbes probes;
    private final Queue<PortProbes.Heard> heard = new ConcurrentLinkedQueue<>();
    private final Map<String, PortProbes.Heard> latest = new HashMap<>();
    private final Map<String, Plan> plans = new HashMap<>();
    /** This node's published mapping as last seen; when it changes, relayed peers are probed anew. */
    private String ownMapping;

    PathProbeController(PortProbes probes) {
        this.probes = probes;
    }

    /** Called on the port's thread; the owner triggers a pass after it. */
    void heard(PortProbes.Heard h) {
        heard.add(h);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)
                        .onChangeOf(r -> List.of(r.spec().state(), r.spec().path())),
                Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)
                        .onChangeOf(r -> List.of(r.spec().operatingSystem(), String.valueOf(r.spec().kubespan()))),
                Input.of(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN).onChangeOf(r -> r.spec().mappedEndpoint()),
                Input.of(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN).onChangeOf(r -> r.spec().relayedEndpoint()));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.PATH_PROBE));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Instant now = ctx.now();
        Optional<KubeSpanConfig> cfg = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID)
                .filter(KubeSpanConfig::enabled);
        Optional<KubeSpanIdentity> identity = ctx.spec(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                KubeSpanIdentity.ID);
        if (cfg.isEmpty() || identity.isEmpty()) {
            ctx.deleteOwnedExcept(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN, List.of());
            plans.clear();
            return;
        }
        probes.identity(cfg.get().sharedSecret(), identity.get().publicKey());
        try {
            probes.open(cfg.get().listenPort());
        } catch (RuntimeException e) {
            ctx.log().warn("nat: path probes are off: cannot send from the WireGuard port: " + e.getMessage());
            ctx.wakeIn(Duration.ofSeconds(30));
            return;
        }
        for (PortProbes.Heard h; (h = heard.poll()) != null;) {
            latest.put(h.peerKey(), h);
        }
        probes.expire(Duration.ofMinutes(1));

        Set<String> ours = new HashSet<>();
        for (Resource<Affiliate> a : ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            if (a.spec().kubespan() != null && a.spec().answersPathProbes()) {
                ours.add(a.spec().kubespan().publicKey());
            }
        }
        Set<String> relayHosts = relayHosts(ctx);
        boolean punch = behindNat(ctx);
        String mapping = ctx.spec(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, dev.kubespan.api.spec.NatMapping.ID)
                .map(dev.kubespan.api.spec.NatMapping::mappedEndpoint).orElse("");
        boolean remapped = ownMapping != null && !ownMapping.isEmpty() && !mapping.isEmpty() && !mapping.equals(ownMapping);
        ownMapping = mapping;
        Map<String, KubeSpanPeerStatus> statuses = new HashMap<>();
        ctx.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN).forEach(r -> statuses.put(r.id(), r.spec()));

        Instant next = null;
        Set<String> keep = new HashSet<>();
        for (Resource<KubeSpanPeerSpec> r : ctx.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            KubeSpanPeerStatus status = statuses.get(r.id());
            boolean needs = ours.contains(r.id()) && status != null && (KubeSpanPeerStatus.PROBING.equals(status.path())
                    || KubeSpanPeerStatus.RELAYED.equals(status.path()) || status.state() == PeerState.DOWN);
            if (!needs) {
                plans.remove(r.id());
                continue;
            }
            keep.add(r.id());
            boolean relayed = KubeSpanPeerStatus.RELAYED.equals(status.path()) && status.state() == PeerState.UP;
            Plan plan = plans.computeIfAbsent(r.id(), k -> new Plan(now));
            List<InetSocketAddress> direct = direct(r.spec(), relayHosts);
            boolean newCandidates = !plan.candidates.isEmpty() && !plan.candidates.containsAll(direct);
            if (relayed && (newCandidates || remapped)) {
                // A NAT changed (the peer published a mapping not probed yet, or this node's own
                // mapping moved): probe on the fast grid, as for a new peer, instead of waiting for
                // the slow one. The later of the two ends' changes starts both ends' windows within
                // a second, each knowing the other's new mapping by then.
                ctx.log().info("nat: " + (remapped ? "this node is now seen as " + mapping : r.spec().label()
                        + " has new candidates " + direct) + "; probing " + r.spec().label() + " in fast windows");
                plan.windows = 0;
                plan.renewed = true;
                plan.punched = false;
                plan.window = null;
            }
            plan.candidates = direct;
            if (plan.window == null) {
                plan.window = nextWindow(plan, relayed, now);
            }
            if (!now.isBefore(plan.window) && !plan.punched) {
                if (punch) {
                    direct.forEach(c -> probes.punch(c, PUNCH_HOPS));
                }
                plan.punched = true;
            }
            Instant probeAt = plan.window.plus(PROBE_AFTER);
            if (plan.punched && !now.isBefore(probeAt)) {
                direct.forEach(probes::probe);
                plan.windows++;
                plan.lastWindow = plan.window;
                plan.punched = false;
                plan.window = nextWindow(plan, relayed, now);
                ctx.log().debug("nat: probed " + r.spec().label() + " at " + direct + " (window " + plan.windows + ")");
            }
            next = earliest(next, plan.punched ? probeAt : plan.window);
            PortProbes.Heard h = latest.get(r.id());
            boolean fresh = h != null && !h.at().isBefore(plan.needSince.minus(FAST));
            ctx.put(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN, r.id(), new PathProbe(r.spec().label(),
                    fresh ? endpoint(h.from()) : "", fresh ? h.at() : null, fresh ? h.rtt().toMillis() : 0,
                    plan.lastWindow, plan.windows));
        }
        plans.keySet().retainAll(keep);
        latest.keySet().retainAll(statuses.keySet());
        ctx.deleteOwnedExcept(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN, keep);
        if (next != null) {
            ctx.wakeAt(next);
        }
    }

    /**
     * Whether this node's WireGuard port is seen from outside at another address than its own: then
     * a punch opens its NAT. A node with a public address has no NAT to open, and its punch, having
     * one hop fewer to go, could reach the far end's router and leave there the very entry the punch
     * exists to avoid. Unknown (no STUN server): punch.
     */
    private static boolean behindNat(ControllerContext ctx) {
        return ctx.spec(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, dev.kubespan.api.spec.NatMapping.ID)
                .filter(m -> !m.mappedEndpoint().isEmpty()).map(m -> {
                    try {
                        return java.net.NetworkInterface.getByInetAddress(
                                java.net.InetAddress.getByName(NatConfig.host(m.mappedEndpoint()))) == null;
                    } catch (java.io.IOException e) {
                        return true;
                    }
                }).orElse(true);
    }

    /** The next window: on the fast grid at first, later (and for a relayed peer) on the slow one, after a quiet time. */
    static Instant nextWindow(Plan plan, boolean relayed, Instant now) {
        if ((!relayed || plan.renewed) && plan.windows < FAST_WINDOWS) {
            Instant earliest = plan.lastWindow == null ? now.plusMillis(500) : plan.lastWindow.plus(FAST);
            return ceil(later(earliest, now.plusMillis(50)), FAST);
        }
        Instant earliest = plan.lastWindow == null ? now.plusMillis(500) : plan.lastWindow.plus(QUIET);
        return ceil(later(earliest, now.plusMillis(50)), SLOW);
    }

    static Instant ceil(Instant t, Duration grid) {
        long g = grid.toMillis();
        long ms = t.toEpochMilli();
        return Instant.ofEpochMilli((ms + g - 1) / g * g);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    static Set<String> relayHosts(ControllerContext ctx) {
        Set<String> hosts = new HashSet<>();
        ctx.spec(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID).ifPresent(n -> hosts.addAll(n.relayHosts()));
        ctx.list(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN).forEach(r -> {
            if (!r.spec().relayedEndpoint().isEmpty()) {
                hosts.add(NatConfig.host(r.spec().relayedEndpoint()));
            }
        });
        return hosts;
    }

    private static List<InetSocketAddress> direct(KubeSpanPeerSpec spec, Set<String> relayHosts) {
        return spec.endpoints().stream().map(t -> {
            try {
                return Endpoint.parse(t);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }).filter(e -> e != null && Candidates.rank(e, List.of(), relayHosts) != Candidates.RELAY)
                .map(e -> new InetSocketAddress(e.address(), e.port())).distinct().toList();
    }

    static String endpoint(InetSocketAddress a) {
        return Endpoint.parse((a.getAddress() instanceof java.net.Inet6Address ? "[" + a.getAddress().getHostAddress() + "]"
                : a.getAddress().getHostAddress()) + ":" + a.getPort()).toString();
    }
}
