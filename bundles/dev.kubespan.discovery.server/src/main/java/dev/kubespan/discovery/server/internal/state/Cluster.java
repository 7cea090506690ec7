package dev.kubespan.discovery.server.internal.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The affiliates and watchers of one cluster. Every method runs in the cluster's critical
 * section; subscriptions to wake are returned so that the caller signals them after leaving it.
 */
final class Cluster {
    private final String id;
    private final Limits limits;
    private final Map<String, Entry> affiliates = new HashMap<>();
    private final Set<Subscription> subscriptions = new LinkedHashSet<>();
    /** Set when GC dropped this cluster from the map; callers holding it must look it up again. */
    private boolean removed;

    /** One affiliate; endpoints keep insertion order, each with its own expiration. */
    private static final class Entry {
        final String id;
        Blob data = Blob.EMPTY;
        long expiresAt;
        final LinkedHashMap<Blob, Long> endpoints = new LinkedHashMap<>();

        Entry(String id, long expiresAt) {
            this.id = id;
            this.expiresAt = expiresAt;
        }

        AffiliateView view() {
            return new AffiliateView(id, data, new ArrayList<>(endpoints.keySet()));
        }
    }

    /** What a change did: whom to wake, and the error to report once the change is kept. */
    record Outcome(List<Subscription> toSignal, StateException error) {
        static final Outcome NOTHING = new Outcome(List.of(), null);
    }

    Cluster(String id, Limits limits) {
        this.id = id;
        this.limits = limits;
    }

    String id() {
        return id;
    }

    synchronized boolean isRemoved() {
        return removed;
    }

    /** AffiliateUpdate (docs/discovery-protocol.md §4.2). {@code data} null or empty leaves the stored data alone. */
    synchronized Outcome update(String affiliateId, Blob data, List<Blob> endpoints, long expiresAt) {
        Entry e = affiliates.get(affiliateId);
        boolean changed = false;
        if (e == null) {
            if (affiliates.size() >= limits.maxAffiliatesPerCluster()) {
                return new Outcome(List.of(), StateException.exhausted("too many affiliates in the cluster"));
            }
            e = new Entry(affiliateId, expiresAt);
            affiliates.put(affiliateId, e);
            changed = true;
        }
        if (data != null && !data.isEmpty()) {
            e.data = data;
            e.expiresAt = expiresAt;
            changed = true;
        }
        StateException error = null;
        for (Blob endpoint : endpoints) {
            Long current = e.endpoints.get(endpoint);
            if (current != null) {
                if (expiresAt > current) {
                    e.endpoints.put(endpoint, expiresAt);
                }
                continue;
            }
            if (e.endpoints.size() >= limits.maxEndpointsPerAffiliate()) {
                error = StateException.exhausted("too many endpoints in the affiliate");
                break;
            }
            e.endpoints.put(endpoint, expiresAt);
            changed = true;
        }
        if (expiresAt > e.expiresAt) {
            e.expiresAt = expiresAt;
        }
        List<Subscription> toSignal = changed ? publish(ClusterEvent.updated(e.view())) : List.of();
        return new Outcome(toSignal, error);
    }

    synchronized Outcome delete(String affiliateId) {
        if (affiliates.remove(affiliateId) == null) {
            return Outcome.NOTHING;
        }
        return new Outcome(publish(ClusterEvent.deleted(affiliateId)), null);
    }

    synchronized List<AffiliateView> list() {
        List<AffiliateView> out = new ArrayList<>(affiliates.size());
        for (Entry e : affiliates.values()) {
            out.add(e.view());
        }
        return out;
    }

    /** Snapshot and registration in one critical section: no event is missed or seen twice. */
    synchronized Subscription subscribe(Runnable signal) {
        Subscription s = new Subscription(this, list(), limits.watchBufferSize(), signal);
        subscriptions.add(s);
        return s;
    }

    synchronized void unsubscribe(Subscription s) {
        subscriptions.remove(s);
    }

    /**
     * Drops what expired: affiliates whose expiration is before {@code now} (deletion event) and
     * endpoints whose expiration is not after it. An affiliate that only lost endpoints is sent
     * as an update (the reference server sends a deletion there; clients accept both).
     */
    synchronized GcOutcome gc(long now) {
        List<Subscription> toSignal = new ArrayList<>();
        int removedAffiliates = 0;
        for (Iterator<Entry> it = affiliates.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            if (e.expiresAt < now) {
                it.remove();
                removedAffiliates++;
                toSignal.addAll(publish(ClusterEvent.deleted(e.id)));
                continue;
            }
            if (e.endpoints.values().removeIf(exp -> exp <= now)) {
                toSignal.addAll(publish(ClusterEvent.updated(e.view())));
            }
        }
        boolean idle = affiliates.isEmpty() && subscriptions.isEmpty();
        if (idle) {
            removed = true;
        }
        return new GcOutcome(toSignal, removedAffiliates, idle);
    }

    record GcOutcome(List<Subscription> toSignal, int removedAffiliates, boolean clusterRemoved) {
    }

    /** Ends every subscription with a clean close (server shutdown). */
    synchronized List<Subscription> closeAll() {
        List<Subscription> all = new ArrayList<>(subscriptions);
        subscriptions.clear();
        for (Subscription s : all) {
            s.markClosed();
        }
        return all;
    }

    synchronized int[] counts() {
        int endpoints = 0;
        for (Entry e : affiliates.values()) {
            endpoints += e.endpoints.size();
        }
        return new int[] {affiliates.size(), endpoints, subscriptions.size()};
    }

    synchronized StateDump.ClusterDump dump(long now) {
        List<StateDump.AffiliateDump> out = new ArrayList<>();
        for (Entry e : affiliates.values()) {
            List<StateDump.EndpointDump> eps = new ArrayList<>();
            for (Map.Entry<Blob, Long> ep : e.endpoints.entrySet()) {
                eps.add(new StateDump.EndpointDump(ep.getKey(), ep.getValue() - now));
            }
            out.add(new StateDump.AffiliateDump(e.id, e.data, e.expiresAt - now, eps));
        }
        return new StateDump.ClusterDump(id, out);
    }

    /** Restores dumped affiliates (startup only: no watchers yet, limits still apply). */
    synchronized void restore(StateDump.ClusterDump dump, long now) {
        for (StateDump.AffiliateDump a : dump.affiliates()) {
            if (affiliates.size() >= limits.maxAffiliatesPerCluster() && !affiliates.containsKey(a.id())) {
                break;
            }
            Entry e = new Entry(a.id(), now + a.remainingMillis());
            e.data = a.data();
            for (StateDump.EndpointDump ep : a.endpoints()) {
                if (e.endpoints.size() < limits.maxEndpointsPerAffiliate()) {
                    e.endpoints.put(ep.data(), now + ep.remainingMillis());
                }
            }
            affiliates.put(a.id(), e);
        }
    }

    /** Offers an event to every subscription; the overflowing ones are dropped (lost). */
    private List<Subscription> publish(ClusterEvent event) {
        if (subscriptions.isEmpty()) {
            return List.of();
        }
        List<Subscription> toSignal = new ArrayList<>(subscriptions.size());
        for (Iterator<Subscription> it = subscriptions.iterator(); it.hasNext();) {
            Subscription s = it.next();
            if (!s.offer(event)) {
                it.remove();
            }
            toSignal.add(s);
        }
        return toSignal;
    }
}
