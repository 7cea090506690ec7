package dev.kubespan.discovery.server.internal.state;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * All clusters of the discovery service (docs/discovery-protocol.md §4.1–§4.4): validation and limits,
 * AffiliateUpdate merge/extend semantics, deletes, snapshot-then-deltas subscriptions and TTL
 * garbage collection. Thread-safe; one critical section per cluster. Plain Java: the gRPC layer
 * maps {@link StateException} to status codes.
 */
public final class State {
    private final Limits limits;
    private final LongSupplier nowMillis;
    private final ConcurrentHashMap<String, Cluster> clusters = new ConcurrentHashMap<>();

    /** {@code nowMillis} is a monotonic clock in milliseconds (tests pass a fake one). */
    public State(Limits limits, LongSupplier nowMillis) {
        this.limits = limits;
        this.nowMillis = nowMillis;
    }

    public State(Limits limits) {
        this(limits, () -> System.nanoTime() / 1_000_000L);
    }

    public Limits limits() {
        return limits;
    }

    /** Checks a cluster ID (every RPC); INVALID_ARGUMENT when empty or too long. */
    public void validateClusterId(String clusterId) {
        checkId("cluster ID", clusterId, limits.maxClusterIdLength());
    }

    private static void checkId(String what, String id, int max) {
        int len = id == null ? 0 : id.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0) {
            throw StateException.invalid(what + " is empty");
        }
        if (len > max) {
            throw StateException.invalid(what + " is too long (" + len + " bytes, at most " + max + ")");
        }
    }

    /** Creates the cluster if it does not exist yet (Hello and List name a cluster too). */
    public void touch(String clusterId) {
        validateClusterId(clusterId);
        withCluster(clusterId, c -> null);
    }

    /**
     * AffiliateUpdate. {@code data} null or empty leaves the data as it is; endpoints are merged;
     * everything submitted lives for {@code ttl} (at most the TTL limit; zero expires at once).
     */
    public void update(String clusterId, String affiliateId, byte[] data, List<byte[]> endpoints, Duration ttl) {
        validateClusterId(clusterId);
        checkId("affiliate ID", affiliateId, limits.maxAffiliateIdLength());
        if (data != null && data.length > limits.maxAffiliateDataSize()) {
            throw StateException.invalid("affiliate data is too big (" + data.length + " bytes, at most "
                    + limits.maxAffiliateDataSize() + ")");
        }
        List<Blob> blobs = new ArrayList<>(endpoints.size());
        for (byte[] e : endpoints) {
            if (e.length > limits.maxEndpointSize()) {
                throw StateException.invalid("affiliate endpoint is too big (" + e.length + " bytes, at most "
                        + limits.maxEndpointSize() + ")");
            }
            blobs.add(Blob.copyOf(e));
        }
        Duration t = ttl == null ? Duration.ZERO : ttl;
        if (t.compareTo(limits.maxTtl()) > 0) {
            throw StateException.invalid("TTL " + t + " is longer than the limit " + limits.maxTtl());
        }
        long expiresAt = nowMillis.getAsLong() + t.toMillis();
        Blob d = data == null ? null : Blob.copyOf(data);
        Cluster.Outcome o = withCluster(clusterId, c -> c.update(affiliateId, d, blobs, expiresAt));
        signal(o.toSignal());
        if (o.error() != null) {
            throw o.error();
        }
    }

    /** AffiliateDelete; an unknown ID is not an error. */
    public void delete(String clusterId, String affiliateId) {
        validateClusterId(clusterId);
        checkId("affiliate ID", affiliateId, limits.maxAffiliateIdLength());
        signal(withCluster(clusterId, c -> c.delete(affiliateId)).toSignal());
    }

    /** All affiliates of the cluster, including those with empty data; any order. */
    public List<AffiliateView> list(String clusterId) {
        validateClusterId(clusterId);
        return withCluster(clusterId, Cluster::list);
    }

    /**
     * Registers a watcher: its {@link Subscription#snapshot()} is the state at registration and
     * every later change goes to its buffer; {@code signal} runs (on the changing thread, outside
     * any lock) whenever there is something to poll or its status changed.
     */
    public Subscription watch(String clusterId, Runnable signal) {
        validateClusterId(clusterId);
        return withCluster(clusterId, c -> c.subscribe(signal));
    }

    /** Expires affiliates and endpoints, drops idle clusters; returns what it removed. */
    public GcResult gc() {
        long now = nowMillis.getAsLong();
        int removedAffiliates = 0;
        int removedClusters = 0;
        for (Cluster c : clusters.values()) {
            Cluster.GcOutcome o = c.gc(now);
            removedAffiliates += o.removedAffiliates();
            if (o.clusterRemoved()) {
                clusters.remove(c.id(), c);
                removedClusters++;
            }
            signal(o.toSignal());
        }
        return new GcResult(removedClusters, removedAffiliates);
    }

    public record GcResult(int removedClusters, int removedAffiliates) {
    }

    /** Ends every watch cleanly (server shutdown). */
    public void closeAllSubscriptions() {
        for (Cluster c : clusters.values()) {
            signal(c.closeAll());
        }
    }

    public Stats stats() {
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
        return new Stats(clusterCount, affiliates, endpoints, subscriptions);
    }

    public record Stats(int clusters, long affiliates, long endpoints, long subscriptions) {
    }

    public StateDump dump() {
        long now = nowMillis.getAsLong();
        List<StateDump.ClusterDump> out = new ArrayList<>();
        for (Cluster c : clusters.values()) {
            StateDump.ClusterDump d = c.dump(now);
            if (!d.affiliates().isEmpty()) {
                out.add(d);
            }
        }
        return new StateDump(out);
    }

    /** Adds dumped clusters (at startup, before any RPC). */
    public void restore(StateDump dump) {
        long now = nowMillis.getAsLong();
        for (StateDump.ClusterDump c : dump.clusters()) {
            if (c.id().isEmpty()) {
                continue;
            }
            withCluster(c.id(), cluster -> {
                cluster.restore(c, now);
                return null;
            });
        }
    }

    /** Runs {@code action} on the live cluster, creating it if needed and retrying if GC just dropped it. */
    private <T> T withCluster(String clusterId, Function<Cluster, T> action) {
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

    private static void signal(List<Subscription> subscriptions) {
        for (Subscription s : subscriptions) {
            s.signal();
        }
    }
}
