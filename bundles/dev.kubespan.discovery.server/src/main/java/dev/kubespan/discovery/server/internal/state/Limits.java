package dev.kubespan.discovery.server.internal.state;

import java.time.Duration;

/** The server's limits (docs/discovery-protocol.md §4.1, §4.4). Tests shrink some of them. */
public record Limits(int maxClusterIdLength, int maxAffiliateIdLength, int maxAffiliateDataSize,
        int maxEndpointSize, Duration maxTtl, int maxAffiliatesPerCluster, int maxEndpointsPerAffiliate,
        int watchBufferSize) {

    public static final Limits DEFAULT = new Limits(256, 256, 2048, 32, Duration.ofMinutes(30), 1024, 64, 32);

    public Limits {
        if (maxAffiliatesPerCluster < 1 || maxEndpointsPerAffiliate < 1 || watchBufferSize < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public Limits withWatchBufferSize(int size) {
        return new Limits(maxClusterIdLength, maxAffiliateIdLength, maxAffiliateDataSize, maxEndpointSize, maxTtl,
                maxAffiliatesPerCluster, maxEndpointsPerAffiliate, size);
    }

    public Limits withMaxAffiliatesPerCluster(int max) {
        return new Limits(maxClusterIdLength, maxAffiliateIdLength, maxAffiliateDataSize, maxEndpointSize, maxTtl,
                max, maxEndpointsPerAffiliate, watchBufferSize);
    }
}
