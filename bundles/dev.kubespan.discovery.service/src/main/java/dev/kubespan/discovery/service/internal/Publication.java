package dev.kubespan.discovery.service.internal;

import java.util.List;
import java.util.Map;

/**
 * What this node sends on every refresh: its own encrypted data and endpoint blobs (data null
 * = nothing to publish yet) and, per other affiliate ID, harvested endpoint blobs sent as
 * endpoint-only updates of that affiliate (docs/discovery-protocol.md §5.4). Built once and shared by every client, so the
 * data blob (random nonce) only changes when the local affiliate does.
 */
public record Publication(byte[] data, List<byte[]> endpoints, Map<String, List<byte[]>> others) {
    public static final Publication NOTHING = new Publication(null, List.of(), Map.of());

    public Publication {
        endpoints = List.copyOf(endpoints);
        others = Map.copyOf(others);
    }

    public boolean hasData() {
        return data != null && data.length > 0;
    }
}
