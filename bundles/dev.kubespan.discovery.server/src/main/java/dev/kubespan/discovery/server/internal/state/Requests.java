package dev.kubespan.discovery.server.internal.state;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Validation of requests against {@link Limits} (docs/discovery-protocol.md §4.1), the same for every backend. */
public final class Requests {
    private Requests() {
    }

    /** A validated AffiliateUpdate; {@code data} null means "leave the data alone". */
    public record Update(String clusterId, String affiliateId, Blob data, List<Blob> endpoints, long ttlMillis) {
    }

    /** Checks a cluster ID (every RPC); INVALID_ARGUMENT when empty or too long. */
    public static void clusterId(Limits limits, String clusterId) {
        checkId("cluster ID", clusterId, limits.maxClusterIdLength());
    }

    public static void affiliateId(Limits limits, String affiliateId) {
        checkId("affiliate ID", affiliateId, limits.maxAffiliateIdLength());
    }

    public static Update update(Limits limits, String clusterId, String affiliateId, byte[] data, List<byte[]> endpoints,
            Duration ttl) {
        clusterId(limits, clusterId);
        affiliateId(limits, affiliateId);
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
        if (t.isNegative()) {
            t = Duration.ZERO;
        }
        return new Update(clusterId, affiliateId, data == null ? null : Blob.copyOf(data), blobs, t.toMillis());
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
}
