package dev.kubespan.nat.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
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
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.PeerPath;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RelayAllocation;
import dev.kubespan.nat.internal.relay.TurnRelay;
import dev.kubespan.nat.internal.stun.TurnCredentials;

/**
 * Takes a TURN allocation when this node cannot reach a peer directly — a peer still
 * {@code probing} {@link #NEED_AFTER} after it appeared, or {@code down} — and keeps it while any
 * peer needs it (a relayed path, a proxy in use) and {@link #LINGER} after that. The relayed
 * address is published as one more endpoint of this node (the local affiliate reads
 * {@link RelayAllocation}), so any peer, a Talos node too, can reach it there. Permissions cover
 * the IPs of every peer's candidates. Writes {@link RelayAllocation}: state, relayed address,
 * proxies, and the error when the relay cannot be used (wrong credentials, refused, dead).
 */
final class RelayController implements Controller {
    static final String NAME = "dev.kubespan.nat/relay";
    static final Duration NEED_AFTER = Duration.ofSeconds(3);
    static final Duration LINGER = Duration.ofMinutes(10);
    static final Duration CREDENTIALS_VALID = Duration.ofHours(24);

    private final Clock clock;
    private final Log log;
    private Runnable trigger = () -> {
    };
    private TurnRelay relay;
    private String relayFor = "";
    private Instant neededUntil = Instant.MIN;

    RelayController(Clock clock, Log log) {
        this.clock = clock;
        this.log = log;
    }

    void triggerWith(Runnable t) {
        this.trigger = t;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                Input.of(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)
                        .onChangeOf(r -> List.of(r.spec().state(), r.spec().path(), r.spec().endpoint())));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.RELAY_ALLOCATION));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Instant now = ctx.now();
        Optional<KubeSpanConfig> cfg = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID)
                .filter(KubeSpanConfig::enabled);
        NatConfig nat = ctx.spec(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID).orElse(NatConfig.none());
        if (cfg.isEmpty() || !nat.relayEnabled()) {
            stop();
            ctx.deleteOwnedExcept(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, List.of());
            return;
        }
        Instant wakeFor = need(ctx, now);
        boolean inUse = relay != null && relay.state() != null && !relay.state().proxies().isEmpty();
        if (inUse) {
            neededUntil = later(neededUntil, now.plus(LINGER));
        }
        if (now.isAfter(neededUntil)) {
            if (relay != null) {
                log.info("nat: no peer needs the relay any more; releasing the allocation on " + relayFor);
            }
            stop();
            ctx.deleteOwnedExcept(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, List.of());
            if (wakeFor != null) {
                ctx.wakeAt(wakeFor);
            }
            return;
        }
        String server = nat.relayServers().get(0);
        String nodeId = ctx.spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).map(NodeIdentity::nodeId)
                .orElse("node");
        String key = server + " " + nat.relayUsername() + " " + nat.relayPassword().hashCode() + " "
                + nat.relaySharedSecret().hashCode() + " " + cfg.get().listenPort();
        if (relay == null || !key.equals(relayFor)) {
            stop();
            List<InetSocketAddress> resolved = PortProbes.parse(List.of(server), ctx.log());
            if (resolved.isEmpty()) {
                ctx.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, server, new RelayAllocation(server, "failed", "",
                        "", null, List.of(), List.of(), "cannot resolve the relay server " + server));
                ctx.wakeIn(Duration.ofSeconds(30));
                return;
            }
            String user = "kubespan-" + (nodeId.length() > 12 ? nodeId.substring(0, 12) : nodeId);
            try {
                relay = new TurnRelay(resolved.get(0), () -> nat.relaySharedSecret().isEmpty()
                        ? new TurnCredentials(nat.relayUsername(), nat.relayPassword())
                        : TurnCredentials.fromSharedSecret(nat.relaySharedSecret(), user, clock.instant(), CREDENTIALS_VALID),
                        cfg.get().listenPort(), log, clock, () -> trigger.run());
                relayFor = key;
                log.info("nat: a peer has no direct path; taking a relay allocation on " + server);
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a socket to the relay " + server + ": " + e.getMessage(), e);
            }
        }
        relay.permit(peerAddresses(ctx));
        write(ctx, server, relay.state());
        ctx.wakeAt(wakeFor != null && wakeFor.isBefore(neededUntil) ? wakeFor : neededUntil.plusMillis(1));
    }

    /** Extends {@link #neededUntil} when a peer needs the relay; returns when to look again for a peer that soon will. */
    private Instant need(ControllerContext ctx, Instant now) {
        Instant wake = null;
        for (Resource<KubeSpanPeerStatus> r : ctx.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            KubeSpanPeerStatus s = r.spec();
            boolean relayed = PeerPath.RELAYED == s.path();
            boolean down = s.state() == PeerState.DOWN;
            boolean probing = PeerPath.PROBING == s.path() && s.state() != PeerState.UP;
            if (relayed || down) {
                neededUntil = later(neededUntil, now.plus(LINGER));
            } else if (probing) {
                Instant since = s.lastEndpointChange();
                Instant due = since.plus(NEED_AFTER);
                if (!now.isBefore(due)) {
                    neededUntil = later(neededUntil, now.plus(LINGER));
                } else {
                    wake = wake == null || due.isBefore(wake) ? due : wake;
                }
            }
        }
        return wake;
    }

    private static Set<InetAddress> peerAddresses(ControllerContext ctx) {
        Set<InetAddress> out = new HashSet<>();
        for (Resource<KubeSpanPeerSpec> r : ctx.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            for (Endpoint e : r.spec().endpoints()) {
                out.add(e.address());
            }
        }
        return out;
    }

    private static void write(ControllerContext ctx, String server, TurnRelay.State s) {
        if (s == null) {
            return;
        }
        List<String> proxies = s.proxies().entrySet().stream()
                .map(e -> text(e.getKey()) + "=" + text(e.getValue())).toList();
        ctx.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, server, new RelayAllocation(server, s.phase(),
                s.relayed() == null ? "" : text(s.relayed()), s.mapped() == null ? "" : text(s.mapped()), s.expires(),
                s.permissions(), proxies, s.error()));
        ctx.deleteOwnedExcept(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, List.of(server));
    }

    static String text(InetSocketAddress a) {
        return PathProbeController.endpoint(a);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    void stop() {
        if (relay != null) {
            relay.close();
            relay = null;
            relayFor = "";
        }
    }
}
