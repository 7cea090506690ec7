package dev.kubespan.discovery.server.internal.state;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The clusters a backend holds in this process, with their watchers: the whole state for the
 * in-memory backend, the mirror of etcd for the etcd backend. Clusters are created on demand
 * and dropped by {@link #gc} when they have neither affiliates nor watchers.
 */
public final class Clusters {
    private final Limits limits;
    private final ConcurrentHashMap<String, Cluster> clusters = new ConcurrentHashMap<>();

    public Clusters(Limits limits) {
        this.limits = limits;
    }

    public Subscription subscribe(String clusterId, Runnable signal) {
        return with(clusterId, c -> c.subscribe(signal));
    }

    public List<AffiliateView> list(String clusterId) {
        Cluster c = clusters.get(clusterId);
        return c == null ? List.of() : c.list();
    }

    /** A copy of one affiliate, or null. */
    public AffiliateRecord get(String clusterId, String affiliateId) {
        Cluster c = clusters.get(clusterId);
        return c == null ? null : c.get(affiliateId);
    }

    /** Mirror: stores the affiliate as the backend holds it, announcing it when {@code announce}. */
    public void put(String clusterId, AffiliateRecord record, boolean announce) {
        signal(with(clusterId, c -> c.put(record, announce)));
    }

    /** Mirror: the affiliate is gone (deletion event when it existed). */
    public void remove(String clusterId, String affiliateId) {
        Cluster c = clusters.get(clusterId);
        if (c != null) {
            signal(with(clusterId, x -> x.remove(affiliateId)));
        }
    }

    /** Runs GC on every cluster ({@code expire}: also expire affiliates and endpoints at {@code now}). */
    public State.GcResult gc(long now, boolean expire, java.util.function.Consumer<Cluster.Outcome> removed) {
        int removedAffiliates = 0;
        int removedClusters = 0;
        for (Cluster c : clusters.values()) {
            Cluster.Outcome o = c.gc(now, expire);
            removedAffiliates += o.removedAffiliates();
            if (removed != null) {
                removed.accept(o);
            }
            if (c.isRemoved()) {
                clusters.remove(c.id(), c);
                removedClusters++;
            }
            signal(o.toSignal());
        }
        return new State.GcResult(removedClusters, removedAffiliates);
    }

    public void closeAll() {
        for (Cluster c : clusters.values()) {
            signal(c.closeAll());
        }
    }

    public State.Stats stats() {
        int clusterCount = 0;
        long affiliates = 0;
        long endpoints = 0;
        long subscriptions = 0;
        for (Cluster c : clusters.values()) {
            int[] n = c.counts();
            clusterCount++;
            affiliates += n[0];
            endpoints += n[1];
            subscriptions += n[2];
        }
        return new State.Stats(clusterCount, affiliates, endpoints, subscriptions);
    }

    /** The IDs of the clusters held now. */
    public List<String> clusterIds() {
        return List.copyOf(clusters.keySet());
    }

    Collection<Cluster> all() {
        return clusters.values();
    }

    /** Runs {@code action} on the live cluster, creating it if needed and retrying if GC just dropped it. */
    <T> T with(String clusterId, Function<Cluster, T> action) {
        while (true) {
            Cluster c = clusters.computeIfAbsent(clusterId, id -> new Cluster(id, limits));
            synchronized (c) {
                if (!c.isRemoved()) {
                    return action.apply(c);
                }
            }
            clusters.remove(clusterId, c);
        }
    }

    static void signal(List<Subscription> subscriptions) {
        for (Subscription s : subscriptions) {
            s.signal();
        }
    }
}
