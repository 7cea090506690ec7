package dev.kubespan.discovery.server.internal.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The affiliates and watchers of one cluster. Every method runs in the cluster's critical
 * section; subscriptions to wake are returned so that the caller signals them after leaving it.
 * The in-memory state changes it with {@link #update}/{@link #delete}/{@link #gc}; the etcd
 * backend mirrors what etcd holds into it with {@link #put}/{@link #remove}.
 */
final class Cluster {
    private final String id;
    private final Limits limits;
    private final Map<String, AffiliateRecord> affiliates = new HashMap<>();
    private final Set<Subscription> subscriptions = new LinkedHashSet<>();
    /** Set when it was dropped from the map; callers holding it must look it up again. */
    private boolean removed;

    /** Asked before an affiliate is created; returns the refusal, or null to go ahead. */
    interface Admission {
        Admission ALWAYS = firstInCluster -> null;

        StateException admit(boolean firstInCluster);
    }

    /** What a change did: whom to wake, the error to report once the change is kept, what was removed. */
    record Outcome(List<Subscription> toSignal, StateException error, int removedAffiliates, boolean emptied) {
        static final Outcome NOTHING = new Outcome(List.of(), null, 0, false);
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
    synchronized Outcome update(String affiliateId, Blob data, List<Blob> endpoints, long expiresAt, Admission admission) {
        AffiliateRecord r = affiliates.get(affiliateId);
        boolean isNew = r == null;
        if (isNew) {
            if (affiliates.size() >= limits.maxAffiliatesPerCluster()) {
                return new Outcome(List.of(), StateException.exhausted("too many affiliates in the cluster",
                        "cluster_affiliates"), 0, false);
            }
            StateException refused = admission.admit(affiliates.isEmpty());
            if (refused != null) {
                return new Outcome(List.of(), refused, 0, false);
            }
            r = AffiliateRecord.create(affiliateId, expiresAt);
            affiliates.put(affiliateId, r);
        }
        AffiliateRecord.Merge m = r.merge(data, endpoints, expiresAt, limits.maxEndpointsPerAffiliate(), isNew);
        List<Subscription> toSignal = m.changed() ? publish(ClusterEvent.updated(r.view())) : List.of();
        return new Outcome(toSignal, m.error(), 0, false);
    }

    synchronized Outcome delete(String affiliateId) {
        if (affiliates.remove(affiliateId) == null) {
            return Outcome.NOTHING;
        }
        return new Outcome(publish(ClusterEvent.deleted(affiliateId)), null, 1, affiliates.isEmpty());
    }

    /** Mirror: the affiliate as the backend now holds it; announced to watchers when {@code announce}. */
    synchronized List<Subscription> put(AffiliateRecord r, boolean announce) {
        affiliates.put(r.id(), r);
        return announce ? publish(ClusterEvent.updated(r.view())) : List.of();
    }

    /** Mirror: the backend no longer holds this affiliate. */
    synchronized List<Subscription> remove(String affiliateId) {
        return delete(affiliateId).toSignal();
    }

    /** A copy of one affiliate, or null. */
    synchronized AffiliateRecord get(String affiliateId) {
        AffiliateRecord r = affiliates.get(affiliateId);
        return r == null ? null : r.copy();
    }

    synchronized int size() {
        return affiliates.size();
    }

    synchronized List<AffiliateView> list() {
        List<AffiliateView> out = new ArrayList<>(affiliates.size());
        for (AffiliateRecord r : affiliates.values()) {
            out.add(r.view());
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
     * Drops what expired when {@code expire} (the in-memory state; etcd expires by itself):
     * affiliates whose expiration is before {@code now} (deletion event) and endpoints whose
     * expiration is not after it. An affiliate that only lost endpoints is sent as an update
     * (the reference server sends a deletion there; clients accept both). A cluster with no
     * affiliate and no watcher is marked removed.
     */
    synchronized Outcome gc(long now, boolean expire) {
        List<Subscription> toSignal = new ArrayList<>();
        int removedAffiliates = 0;
        boolean hadAffiliates = !affiliates.isEmpty();
        if (expire) {
            for (Iterator<AffiliateRecord> it = affiliates.values().iterator(); it.hasNext();) {
                AffiliateRecord r = it.next();
                if (r.expiresAt() < now) {
                    it.remove();
                    removedAffiliates++;
                    toSignal.addAll(publish(ClusterEvent.deleted(r.id())));
                    continue;
                }
                if (r.expireEndpoints(now)) {
                    toSignal.addAll(publish(ClusterEvent.updated(r.view())));
                }
            }
        }
        if (affiliates.isEmpty() && subscriptions.isEmpty()) {
            removed = true;
        }
        return new Outcome(toSignal, null, removedAffiliates, hadAffiliates && affiliates.isEmpty());
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
        for (AffiliateRecord r : affiliates.values()) {
            endpoints += r.endpoints().size();
        }
        return new int[] {affiliates.size(), endpoints, subscriptions.size()};
    }

    synchronized StateDump.ClusterDump dump(long now) {
        List<StateDump.AffiliateDump> out = new ArrayList<>();
        for (AffiliateRecord r : affiliates.values()) {
            List<StateDump.EndpointDump> eps = new ArrayList<>();
            for (Map.Entry<Blob, Long> ep : r.endpoints().entrySet()) {
                eps.add(new StateDump.EndpointDump(ep.getKey(), ep.getValue() - now));
            }
            out.add(new StateDump.AffiliateDump(r.id(), r.data(), r.expiresAt() - now, eps));
        }
        return new StateDump.ClusterDump(id, out);
    }

    /** Restores dumped affiliates (startup only: no watchers yet, limits still apply). */
    synchronized void restore(StateDump.ClusterDump dump, long now, Admission admission) {
        for (StateDump.AffiliateDump a : dump.affiliates()) {
            if (!affiliates.containsKey(a.id())) {
                if (affiliates.size() >= limits.maxAffiliatesPerCluster() || admission.admit(affiliates.isEmpty()) != null) {
                    break;
                }
            }
            Map<Blob, Long> eps = new java.util.LinkedHashMap<>();
            for (StateDump.EndpointDump ep : a.endpoints()) {
                if (eps.size() < limits.maxEndpointsPerAffiliate()) {
                    eps.put(ep.data(), now + ep.remainingMillis());
                }
            }
            affiliates.put(a.id(), new AffiliateRecord(a.id(), a.data(), now + a.remainingMillis(), eps));
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
