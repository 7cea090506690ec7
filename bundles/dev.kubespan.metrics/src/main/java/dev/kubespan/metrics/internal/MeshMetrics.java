package dev.kubespan.metrics.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.kubespan.api.ResourceStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The mesh as metrics: peers, registries, the WireGuard link, computed from the store at scrape
 * time, plus the counters {@link MeshHistory} keeps from watches. Peers are labelled
 * {@code peer="<node name>"}; keys never appear.
 */
@Component(service = MultiCollector.class, property = MetricsServlet.COLLECTOR_PROPERTY + "=true")
public final class MeshMetrics implements MultiCollector {
    static final List<String> STATES = List.of("up", "down", "unknown");
    private final ResourceStore store;
    private final MeshHistory history;
    private final Clock clock;

    @Activate
    public MeshMetrics(@Reference ResourceStore store) {
        this(store, Clock.systemUTC());
    }

    MeshMetrics(ResourceStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.history = new MeshHistory(store);
    }

    @Deactivate
    public void close() {
        history.close();
    }

    @Override
    public MetricSnapshots collect() {
        Instant now = clock.instant();
        Families f = new Families();
        List<MeshReadings.Peer> peers = MeshReadings.peers(store);
        Map<String, MeshHistory.PeerCounters> counters = history.peers();

        f.gauge("kubespan_peer_up", "1 when the peer's state is up, else 0.");
        peers.forEach(p -> f.add("up".equals(p.state()) ? 1 : 0, "peer", p.name()));
        f.gauge("kubespan_peer_state", "The peer's state: 1 for the current one of up, down, unknown.");
        peers.forEach(p -> STATES.forEach(s -> f.add(s.equals(p.state()) ? 1 : 0, "peer", p.name(), "state", s)));
        f.counter("kubespan_peer_receive_bytes", "Bytes received from the peer over WireGuard.");
        peers.forEach(p -> f.add(p.receiveBytes(), "peer", p.name()));
        f.counter("kubespan_peer_transmit_bytes", "Bytes sent to the peer over WireGuard.");
        peers.forEach(p -> f.add(p.transmitBytes(), "peer", p.name()));
        f.gauge("kubespan_peer_last_handshake_age_seconds", "Seconds since the last WireGuard handshake with the peer"
                + " (absent before the first).");
        peers.stream().filter(p -> p.lastHandshake() != null).forEach(p -> f.add(
                Math.max(0, Duration.between(p.lastHandshake(), now).toMillis() / 1000.0), "peer", p.name()));
        f.gauge("kubespan_peer_last_handshake_timestamp_seconds", "Unix time of the last WireGuard handshake.");
        peers.stream().filter(p -> p.lastHandshake() != null)
                .forEach(p -> f.add(p.lastHandshake().toEpochMilli() / 1000.0, "peer", p.name()));
        f.counter("kubespan_peer_endpoint_changes", "Times the endpoint in use for the peer changed.");
        peers.forEach(p -> f.add(endpointChanges(counters.get(p.key())), "peer", p.name()));
        f.counter("kubespan_peer_state_transitions", "Transitions of the peer into each state.");
        peers.forEach(p -> STATES.forEach(s -> f.add(transitions(counters.get(p.key()), s), "peer", p.name(),
                "state", s)));

        f.gauge("kubespan_peers", "Peers by state.");
        STATES.forEach(s -> f.add(peers.stream().filter(p -> s.equals(p.state())).count(), "state", s));
        f.gauge("kubespan_members", "Cluster members known to this node, itself included.");
        f.add(MeshReadings.members(store));

        List<MeshReadings.Registry> registries = MeshReadings.registries(store);
        f.gauge("kubespan_registry_connected", "1 when the registry connection's state is connected.");
        registries.forEach(r -> f.add("connected".equals(r.state()) ? 1 : 0, "registry", r.id()));
        f.gauge("kubespan_registry_state", "The registry connection's current state (value 1).");
        registries.forEach(r -> f.add(1, "registry", r.id(), "state", r.state()));
        f.gauge("kubespan_registry_affiliates", "Affiliates the registry currently reports.");
        registries.forEach(r -> f.add(r.affiliates(), "registry", r.id()));
        f.counter("kubespan_registry_errors", "Errors of the registry connection (each new last error).");
        registries.forEach(r -> f.add(value(history.registryErrors().get(r.id())), "registry", r.id()));
        f.counter("kubespan_registry_affiliate_updates_received", "Affiliate changes received, by kind of registry.");
        new TreeMap<>(history.affiliateUpdates()).forEach((k, v) -> f.add(v.get(), "registry", k));
        f.counter("kubespan_local_affiliate_updates", "Changes of this node's own affiliate (what the registries"
                + " publish).");
        f.add(history.localAffiliateUpdates());

        List<MeshReadings.Link> links = MeshReadings.links(store);
        f.gauge("kubespan_link_info", "The KubeSpan WireGuard link and its backend (value 1).");
        links.forEach(l -> f.add(1, "link", l.name(), "backend", l.backend()));
        f.gauge("kubespan_link_up", "1 when the link exists and is up.");
        links.forEach(l -> f.add(l.present() && l.up() ? 1 : 0, "link", l.name()));
        f.gauge("kubespan_link_peers", "Peers configured on the link.");
        links.forEach(l -> f.add(l.peers(), "link", l.name()));
        f.gauge("kubespan_link_mtu", "MTU of the link.");
        links.forEach(l -> f.add(l.mtu(), "link", l.name()));
        f.gauge("kubespan_link_listen_port", "UDP port WireGuard listens on.");
        links.forEach(l -> f.add(l.listenPort(), "link", l.name()));
        return f.build();
    }

    private static long endpointChanges(MeshHistory.PeerCounters c) {
        return c == null ? 0 : c.endpointChanges.get();
    }

    private static long transitions(MeshHistory.PeerCounters c, String state) {
        return c == null ? 0 : value(c.transitions.get(state));
    }

    private static long value(AtomicLong n) {
        return n == null ? 0 : n.get();
    }
}
