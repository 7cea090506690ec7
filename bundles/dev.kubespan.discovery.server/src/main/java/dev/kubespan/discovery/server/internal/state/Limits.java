package dev.kubespan.discovery.server.internal.state;

import java.time.Duration;

/**
 * The server's limits (docs/discovery-protocol.md §4.1, §4.4) plus two of our own: how many clusters
 * may hold affiliates at once and how many affiliates the whole server keeps, so that memory
 * cannot grow with whatever anyone sends. Tests shrink some of them.
 */
public record Limits(int maxClusterIdLength, int maxAffiliateIdLength, int maxAffiliateDataSize,
        int maxEndpointSize, Duration maxTtl, int maxAffiliatesPerCluster, int maxEndpointsPerAffiliate,
        int watchBufferSize, int maxClusters, int maxAffiliates) {

    /** Server-wide caps of the standalone server: a fleet server (worst case ~6.5 KB per affiliate). */
    public static final int DEFAULT_MAX_CLUSTERS = 10_000;
    public static final int DEFAULT_MAX_AFFILIATES = 100_000;

    /**
     * Events a watcher may have pending before it must show that it reads (see {@link Subscription}:
     * one that took nothing meanwhile is dropped as lost; one that took something gets room for
     * as many again, up to 4 times this). The reference server keeps 32; ours delivers off the
     * updating thread and batches, so a burst of updates (or a pause of the watcher's reader: 512
     * events are a quarter second at 2,000 updates/s) would overflow 32 before the fan-out thread
     * runs. 512 still ends a client that stops reading (its transport window holds ~1 MiB more),
     * and a watcher costs at most 2,048 references.
     */
    public static final int DEFAULT_WATCH_BUFFER = 512;

    public static final Limits DEFAULT = new Limits(256, 256, 2048, 32, Duration.ofMinutes(30), 1024, 64,
            DEFAULT_WATCH_BUFFER, DEFAULT_MAX_CLUSTERS, DEFAULT_MAX_AFFILIATES);

    public Limits {
        if (maxAffiliatesPerCluster < 1 || maxEndpointsPerAffiliate < 1 || watchBufferSize < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxClusters < 1) {
            throw new IllegalArgumentException("the cluster cap must be at least 1, got " + maxClusters);
        }
        if (maxAffiliates < 1) {
            throw new IllegalArgumentException("the affiliate cap must be at least 1, got " + maxAffiliates);
        }
    }

    public Limits withWatchBufferSize(int size) {
        return new Limits(maxClusterIdLength, maxAffiliateIdLength, maxAffiliateDataSize, maxEndpointSize, maxTtl,
                maxAffiliatesPerCluster, maxEndpointsPerAffiliate, size, maxClusters, maxAffiliates);
    }

    public Limits withMaxAffiliatesPerCluster(int max) {
        return new Limits(maxClusterIdLength, maxAffiliateIdLength, maxAffiliateDataSize, maxEndpointSize, maxTtl,
                max, maxEndpointsPerAffiliate, watchBufferSize, maxClusters, maxAffiliates);
    }

    /** The server-wide caps: clusters holding affiliates, and affiliates over all clusters. */
    public Limits withCaps(int clusters, int affiliates) {
        return new Limits(maxClusterIdLength, maxAffiliateIdLength, maxAffiliateDataSize, maxEndpointSize, maxTtl,
                maxAffiliatesPerCluster, maxEndpointsPerAffiliate, watchBufferSize, clusters, affiliates);
    }
}
