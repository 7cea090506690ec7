package dev.kubespan.discovery.server.internal.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The in-memory backend (the default): all clusters in this process, saved and restored through
 * snapshots by the server. One critical section per cluster; the server-wide caps on clusters
 * and affiliates are counted with atomics so that they hold under concurrent updates. Plain
 * Java: the gRPC layer maps {@link StateException} to status codes.
 */
public final class State implements StateBackend {
    private final Limits limits;
    private final LongSupplier nowMillis;
    private final Clusters clusters;
    /** Clusters holding at least one affiliate, and affiliates over all clusters (the caps). */
    private final AtomicInteger populatedClusters = new AtomicInteger();
    private final AtomicInteger totalAffiliates = new AtomicInteger();
    private final Cluster.Admission admission = this::admit;

    /** {@code nowMillis} is a monotonic clock in milliseconds (tests pass a fake one). */
    public State(Limits limits, LongSupplier nowMillis) {
        this.limits = limits;
        this.nowMillis = nowMillis;
        this.clusters = new Clusters(limits);
    }

    public State(Limits limits) {
        this(limits, () -> System.nanoTime() / 1_000_000L);
    }

    @Override
    public Limits limits() {
        return limits;
    }

    /** Checks a cluster ID (every RPC); INVALID_ARGUMENT when empty or too long. */
    public void validateClusterId(String clusterId) {
        Requests.clusterId(limits, clusterId);
    }

    /** Creates the cluster if it does not exist yet (Hello and List name a cluster too). */
    @Override
    public void touch(String clusterId) {
        validateClusterId(clusterId);
        clusters.with(clusterId, c -> null);
    }

    @Override
    public void update(String clusterId, String affiliateId, byte[] data, List<byte[]> endpoints, Duration ttl) {
        Requests.Update u = Requests.update(limits, clusterId, affiliateId, data, endpoints, ttl);
        long expiresAt = nowMillis.getAsLong() + u.ttlMillis();
        Cluster.Outcome o = clusters.with(clusterId,
                c -> c.update(affiliateId, u.data(), u.endpoints(), expiresAt, admission));
        Clusters.signal(o.toSignal());
        if (o.error() != null) {
            throw o.error();
        }
    }

    @Override
    public void delete(String clusterId, String affiliateId) {
        validateClusterId(clusterId);
        Requests.affiliateId(limits, affiliateId);
        Cluster.Outcome o = clusters.with(clusterId, c -> c.delete(affiliateId));
        released(o);
        Clusters.signal(o.toSignal());
    }

    @Override
    public List<AffiliateView> list(String clusterId) {
        validateClusterId(clusterId);
        return clusters.with(clusterId, Cluster::list);
    }

    /** Every call is a short critical section of one cluster: it runs on the event loop. */
    @Override
    public boolean blocksCalls() {
        return false;
    }

    @Override
    public Subscription watch(String clusterId, Runnable signal) {
        validateClusterId(clusterId);
        return clusters.subscribe(clusterId, signal);
    }

    /** Expires affiliates and endpoints, drops idle clusters; returns what it removed. */
    @Override
    public GcResult gc() {
        return clusters.gc(nowMillis.getAsLong(), true, this::released);
    }

    public record GcResult(int removedClusters, int removedAffiliates) {
    }

    @Override
    public void closeAllSubscriptions() {
        clusters.closeAll();
    }

    @Override
    public Stats stats() {
        return clusters.stats();
    }

    public record Stats(int clusters, long affiliates, long endpoints, long subscriptions) {
    }

    @Override
    public Health health() {
        return new Health(true, "in memory");
    }

    public StateDump dump() {
        long now = nowMillis.getAsLong();
        List<StateDump.ClusterDump> out = new ArrayList<>();
        for (Cluster c : clusters.all()) {
            StateDump.ClusterDump d = c.dump(now);
            if (!d.affiliates().isEmpty()) {
                out.add(d);
            }
        }
        return new StateDump(out);
    }

    /** Adds dumped clusters (at startup, before any RPC); the caps apply. */
    public void restore(StateDump dump) {
        long now = nowMillis.getAsLong();
        for (StateDump.ClusterDump c : dump.clusters()) {
            if (c.id().isEmpty()) {
                continue;
            }
            clusters.with(c.id(), cluster -> {
                cluster.restore(c, now, admission);
                return null;
            });
        }
    }

    /** Counts a new affiliate (and a newly populated cluster) against the caps, or refuses it. */
    private StateException admit(boolean firstInCluster) {
        if (firstInCluster && populatedClusters.incrementAndGet() > limits.maxClusters()) {
            populatedClusters.decrementAndGet();
            return StateException.exhausted("too many clusters on this server", "clusters");
        }
        if (totalAffiliates.incrementAndGet() > limits.maxAffiliates()) {
            totalAffiliates.decrementAndGet();
            if (firstInCluster) {
                populatedClusters.decrementAndGet();
            }
            return StateException.exhausted("too many affiliates on this server", "affiliates");
        }
        return null;
    }

    private void released(Cluster.Outcome o) {
        if (o.removedAffiliates() > 0) {
            totalAffiliates.addAndGet(-o.removedAffiliates());
        }
        if (o.emptied()) {
            populatedClusters.decrementAndGet();
        }
    }
}
