package dev.kubespan.nat.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import dev.kubespan.api.controller.SteadyClock;
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
 *
 * <p>Relay servers are used in the configured order: when the one in use fails (no allocation), the
 * next is tried, and the failed one stays listed with its error. A server that works is kept while
 * it works; when every server has failed within {@link #RETRY_LEFT_AFTER}, the one in use retries
 * with its own backoff instead of the servers taking turns in a tight loop.
 */
final class RelayController implements Controller {
    static final String NAME = "dev.kubespan.nat/relay";
    static final Duration NEED_AFTER = Duration.ofSeconds(3);
    static final Duration LINGER = Duration.ofMinutes(10);
    static final Duration CREDENTIALS_VALID = Duration.ofHours(24);
    /** A relay server left after a failure is not tried again before this (unless it is the only one left). */
    static final Duration RETRY_LEFT_AFTER = Duration.ofMinutes(1);

    /** The wall clock: the TURN credentials' expiry, what is shown. */
    private final Clock clock;
    /** The relay's deadlines (refreshes, retransmissions), which a step of the wall clock must not move. */
    private final SteadyClock steady;
    private final Log log;
    private Runnable trigger = () -> {
    };
    private TurnRelay relay;
    private String relayFor = "";
    private String relayServer = "";
    /** Which of the configured relay servers is in use: the first, or the next after one failed. */
    private int serverIndex;
    /** The last state of servers left because they failed, shown until they are tried again. */
    private final Map<String, RelayAllocation> left = new LinkedHashMap<>();
    private final Map<String, Instant> failedAt = new HashMap<>();
    private String configured = "";
    private Instant neededUntil = Instant.MIN;

    RelayController(Clock clock, SteadyClock steady, Log log) {
        this.clock = clock;
        this.steady = steady;
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
            left.clear();
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
            left.clear();
            ctx.deleteOwnedExcept(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, List.of());
            if (wakeFor != null) {
                ctx.wakeAt(wakeFor);
            }
            return;
        }
        List<String> servers = nat.relayServers();
        String config = servers + " " + nat.relayUsername() + " " + nat.relayPassword().hashCode() + " "
                + nat.relaySharedSecret().hashCode() + " " + cfg.get().listenPort();
        if (!config.equals(configured)) {
            // new servers or credentials: what failed before says nothing about them; the first goes first
            configured = config;
            serverIndex = 0;
            left.clear();
            failedAt.clear();
        }
        String server = servers.get(Math.floorMod(serverIndex, servers.size()));
        if (relay != null && server.equals(relayServer) && relay.state() != null
                && "failed".equals(relay.state().phase())) {
            String next = failover(servers, server, now);
            if (next != null) {
                TurnRelay.State failed = relay.state();
                log.warn("nat: the relay " + server + " cannot be used (" + failed.error() + "); trying " + next);
                left.put(server, allocation(server, failed));
                stop();
                serverIndex = servers.indexOf(next);
                server = next;
            } else {
                ctx.wakeIn(RETRY_LEFT_AFTER.dividedBy(4)); // a server left earlier may be tried again then
            }
        }
        String nodeId = ctx.spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).map(NodeIdentity::nodeId)
                .orElse("node");
        String key = server + " " + nat.relayUsername() + " " + nat.relayPassword().hashCode() + " "
                + nat.relaySharedSecret().hashCode() + " " + cfg.get().listenPort();
        if (relay == null || !key.equals(relayFor)) {
            stop();
            List<InetSocketAddress> resolved = PortProbes.parse(List.of(server), ctx.log());
            if (resolved.isEmpty()) {
                RelayAllocation unresolved = new RelayAllocation(server, "failed", "", "", null, List.of(), List.of(),
                        "cannot resolve the relay server " + server);
                String next = failover(servers, server, now);
                if (next != null) {
                    log.warn("nat: cannot resolve the relay server " + server + "; trying " + next);
                    left.put(server, unresolved);
                    serverIndex = servers.indexOf(next);
                    ctx.wakeIn(Duration.ofMillis(1));
                } else {
                    ctx.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, server, unresolved);
                    ctx.wakeIn(Duration.ofSeconds(30));
                }
                return;
            }
            String user = "kubespan-" + (nodeId.length() > 12 ? nodeId.substring(0, 12) : nodeId);
            try {
                relay = new TurnRelay(resolved.get(0), () -> nat.relaySharedSecret().isEmpty()
                        ? new TurnCredentials(nat.relayUsername(), nat.relayPassword())
                        : TurnCredentials.fromSharedSecret(nat.relaySharedSecret(), user, clock.instant(), CREDENTIALS_VALID),
                        cfg.get().listenPort(), log, steady, () -> trigger.run());
                relayFor = key;
                relayServer = server;
                left.remove(server);
                log.info("nat: a peer has no direct path; taking a relay allocation on " + server);
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a socket to the relay " + server + ": " + e.getMessage(), e);
            }
        }
        relay.permit(peerAddresses(ctx));
        write(ctx, server, relay.state(), left);
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

    /**
     * The server to use instead of {@code failed}: the next one in the configured order that has not
     * failed within {@link #RETRY_LEFT_AFTER}; null when there is none (one server, or all failed
     * lately: the current one keeps retrying with its backoff rather than the servers taking turns
     * in a tight loop). A server that works is kept; the first one is not preferred again.
     */
    private String failover(List<String> servers, String failed, Instant now) {
        failedAt.put(failed, now);
        int at = servers.indexOf(failed);
        for (int i = 1; i < servers.size(); i++) {
            String next = servers.get((at + i) % servers.size());
            Instant last = failedAt.get(next);
            if (last == null || !now.isBefore(last.plus(RETRY_LEFT_AFTER))) {
                return next;
            }
        }
        return null;
    }

    private RelayAllocation allocation(String server, TurnRelay.State s) {
        List<String> proxies = s.proxies().entrySet().stream()
                .map(e -> text(e.getKey()) + "=" + text(e.getValue())).toList();
        return new RelayAllocation(server, s.phase(), s.relayed() == null ? "" : text(s.relayed()),
                s.mapped() == null ? "" : text(s.mapped()), steady.toWall(s.expires(), clock), s.permissions(), proxies,
                s.error());
    }

    private void write(ControllerContext ctx, String server, TurnRelay.State s, Map<String, RelayAllocation> left) {
        if (s == null) {
            return;
        }
        ctx.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, server, allocation(server, s));
        left.forEach((id, a) -> ctx.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, id, a));
        List<String> keep = new java.util.ArrayList<>(left.keySet());
        keep.add(server);
        ctx.deleteOwnedExcept(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, keep);
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
            relayServer = "";
        }
    }
}
