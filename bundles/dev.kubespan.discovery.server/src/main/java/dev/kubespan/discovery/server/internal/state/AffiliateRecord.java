package dev.kubespan.discovery.server.internal.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stored affiliate with its expirations (milliseconds on the backend's clock): data, the
 * affiliate's own expiration and each endpoint's. {@link #merge} is the AffiliateUpdate rule of
 * docs/discovery-protocol.md §4.2, shared by every backend; a record is guarded by its owner.
 */
public final class AffiliateRecord {
    private final String id;
    private Blob data = Blob.EMPTY;
    private long expiresAt;
    private final LinkedHashMap<Blob, Long> endpoints;

    public AffiliateRecord(String id, Blob data, long expiresAt, Map<Blob, Long> endpoints) {
        this.id = id;
        this.data = data == null ? Blob.EMPTY : data;
        this.expiresAt = expiresAt;
        this.endpoints = new LinkedHashMap<>(endpoints);
    }

    /** A new, empty affiliate (created by its first update). */
    public static AffiliateRecord create(String id, long expiresAt) {
        return new AffiliateRecord(id, Blob.EMPTY, expiresAt, Map.of());
    }

    public String id() {
        return id;
    }

    public Blob data() {
        return data;
    }

    public long expiresAt() {
        return expiresAt;
    }

    /** Endpoints in the order they were first submitted, with their expirations (do not modify). */
    public Map<Blob, Long> endpoints() {
        return endpoints;
    }

    public AffiliateView view() {
        return new AffiliateView(id, data, new ArrayList<>(endpoints.keySet()));
    }

    public AffiliateRecord copy() {
        return new AffiliateRecord(id, data, expiresAt, endpoints);
    }

    /** What one update did to a record. */
    public record Merge(boolean changed, boolean dataWritten, List<Blob> endpointsWritten, StateException error) {
    }

    /**
     * Applies an AffiliateUpdate: non-empty {@code newData} replaces the data and sets the
     * expiration (it may shorten it); each endpoint is added (at most {@code maxEndpoints}
     * distinct ones) or has its expiration extended; the affiliate's expiration is then extended
     * to {@code expiresAt} if that is later. Endpoints merged before an overflow are kept.
     */
    public Merge merge(Blob newData, List<Blob> newEndpoints, long newExpiresAt, int maxEndpoints, boolean isNew) {
        boolean changed = isNew;
        boolean dataWritten = false;
        if (newData != null && !newData.isEmpty()) {
            data = newData;
            expiresAt = newExpiresAt;
            changed = true;
            dataWritten = true;
        }
        List<Blob> written = new ArrayList<>(newEndpoints.size());
        StateException error = null;
        for (Blob endpoint : newEndpoints) {
            Long current = endpoints.get(endpoint);
            if (current != null) {
                if (newExpiresAt > current) {
                    endpoints.put(endpoint, newExpiresAt);
                    written.add(endpoint);
                }
                continue;
            }
            if (endpoints.size() >= maxEndpoints) {
                error = StateException.exhausted("too many endpoints in the affiliate", "endpoints");
                break;
            }
            endpoints.put(endpoint, newExpiresAt);
            written.add(endpoint);
            changed = true;
        }
        if (newExpiresAt > expiresAt) {
            expiresAt = newExpiresAt;
        }
        return new Merge(changed, dataWritten, written, error);
    }

    /** Drops endpoints whose expiration is not after {@code now}; true if any was dropped. */
    boolean expireEndpoints(long now) {
        return endpoints.values().removeIf(exp -> exp <= now);
    }
}
