package dev.kubespan.metrics.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.Watch;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;

/**
 * The counters that need history, kept from store watches (each status write is one event; no
 * per-packet work): per peer endpoint changes and state transitions, per registry errors and
 * affiliate updates received, and updates of the local affiliate (what the registries publish).
 * A peer's counters go when its status does. They start at zero with this bundle, which
 * Prometheus' {@code rate()} and {@code increase()} treat as a counter reset.
 */
final class MeshHistory implements AutoCloseable {
    /** Per peer key: the last status seen and its counters. */
    private final Map<String, PeerCounters> peers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> registryErrors = new ConcurrentHashMap<>();
    private final Map<String, Instant> registryLastError = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> affiliateUpdates = new ConcurrentHashMap<>();
    private final AtomicLong localAffiliateUpdates = new AtomicLong();
    private final ResourceStore store;
    private final List<Watch> watches;
    /** Set once each watch has listed what existed: later events are changes. One watch thread each. */
    private volatile boolean registryLive;
    private volatile boolean rawLive;
    private volatile boolean clusterLive;

    static final class PeerCounters {
        volatile KubeSpanPeerStatus last;
        final AtomicLong endpointChanges = new AtomicLong();
        final Map<String, AtomicLong> transitions = new ConcurrentHashMap<>();

        PeerCounters(KubeSpanPeerStatus last) {
            this.last = last;
        }
    }

    MeshHistory(ResourceStore store) {
        this.store = store;
        this.watches = List.of(
                store.watch(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, this::onPeerStatus),
                store.watch(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, this::onRegistryStatus),
                store.watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, this::onRawAffiliate),
                store.watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, this::onAffiliate));
    }

    private void onPeerStatus(ResourceEvent<KubeSpanPeerStatus> e) {
        switch (e.kind()) {
            case CREATED -> peers.merge(e.resource().id(), new PeerCounters(e.resource().spec()),
                    (old, fresh) -> {
                        count(old, e.resource().spec());
                        return old;
                    });
            case UPDATED -> {
                PeerCounters c = peers.computeIfAbsent(e.resource().id(), k -> new PeerCounters(e.resource().spec()));
                count(c, e.resource().spec());
            }
            case DESTROYED -> peers.remove(e.resource().id());
            default -> {
            }
        }
    }

    private static void count(PeerCounters c, KubeSpanPeerStatus now) {
        MeshReadings.Change change = MeshReadings.change(c.last, now);
        if (change.endpointChanged()) {
            c.endpointChanges.incrementAndGet();
        }
        if (change.newState() != null) {
            c.transitions.computeIfAbsent(change.newState(), k -> new AtomicLong()).incrementAndGet();
        }
        c.last = now;
    }

    private void onRegistryStatus(ResourceEvent<RegistryStatus> e) {
        if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
            registryLive = true;
            return;
        }
        String id = e.resource().id();
        if (e.kind() == ResourceEvent.Kind.DESTROYED) {
            registryLastError.remove(id);
            return;
        }
        AtomicLong n = registryErrors.computeIfAbsent(id, k -> new AtomicLong());
        Instant t = MeshReadings.lastErrorTime(e.resource().spec());
        if (t == null) {
            return;
        }
        Instant before = registryLastError.put(id, t);
        // An error already there when this bundle started is history, not a new error.
        if (registryLive && !t.equals(before)) {
            n.incrementAndGet();
        }
    }

    private void onRawAffiliate(ResourceEvent<Affiliate> e) {
        if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
            rawLive = true;
            return;
        }
        String registry = MeshReadings.registryOfOwner(e.resource().metadata().owner());
        AtomicLong n = affiliateUpdates.computeIfAbsent(registry, k -> new AtomicLong());
        if (rawLive) {
            n.incrementAndGet();
        }
    }

    private void onAffiliate(ResourceEvent<Affiliate> e) {
        if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
            clusterLive = true;
            return;
        }
        if (!clusterLive || e.kind() == ResourceEvent.Kind.DESTROYED) {
            return;
        }
        String local = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).orElse(null);
        if (Objects.equals(local, e.resource().id())) {
            localAffiliateUpdates.incrementAndGet();
        }
    }

    Map<String, PeerCounters> peers() {
        return peers;
    }

    Map<String, AtomicLong> registryErrors() {
        return registryErrors;
    }

    Map<String, AtomicLong> affiliateUpdates() {
        return affiliateUpdates;
    }

    long localAffiliateUpdates() {
        return localAffiliateUpdates.get();
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }
}
