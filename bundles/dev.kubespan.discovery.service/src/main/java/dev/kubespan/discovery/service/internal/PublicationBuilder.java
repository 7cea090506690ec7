package dev.kubespan.discovery.service.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanEndpoint;

/**
 * Turns the local affiliate and the harvested endpoints into a {@link Publication}, and
 * re-encrypts only when they changed: every new data blob echoes back through every Watch, so
 * re-sealing identical data would be a feedback loop (docs/discovery-protocol.md §5.3). Used on one thread.
 */
public final class PublicationBuilder {
    /** The server refuses more distinct endpoints per affiliate (§4.1). */
    public static final int MAX_ENDPOINTS = 64;

    private final BiConsumer<String, String> problems;
    private SealedPayloads lastPayloads;
    private Affiliate lastLocal;
    private List<KubeSpanEndpoint> lastHarvested;
    private Publication last = Publication.NOTHING;

    /** @param problems receives (key, message) about local data that cannot be sent */
    public PublicationBuilder(BiConsumer<String, String> problems) {
        this.problems = problems;
    }

    /**
     * @param local the local affiliate, or null when there is none (then nothing is published)
     * @param harvested endpoints observed for other nodes
     */
    public Publication build(SealedPayloads payloads, String ownId, Affiliate local, List<KubeSpanEndpoint> harvested) {
        boolean sameKey = lastPayloads != null && lastPayloads.cipher().sameKey(payloads.cipher());
        if (sameKey && Objects.equals(local, lastLocal) && harvested.equals(lastHarvested)) {
            return last;
        }
        lastPayloads = payloads;
        lastLocal = local;
        lastHarvested = List.copyOf(harvested);
        last = local == null ? Publication.NOTHING : seal(payloads, ownId, local, harvested);
        return last;
    }

    private Publication seal(SealedPayloads payloads, String ownId, Affiliate local, List<KubeSpanEndpoint> harvested) {
        byte[] data;
        try {
            data = payloads.sealAffiliate(local, p -> problems.accept("local", "local affiliate: " + p));
        } catch (IllegalArgumentException e) {
            problems.accept("local-size", "local affiliate not published: " + e.getMessage());
            return Publication.NOTHING;
        }
        List<String> own = local.kubespan() == null ? List.of()
                : local.kubespan().endpoints().stream().map(Endpoint::toString).toList();
        List<byte[]> ownBlobs = sealAll(payloads, own, "local");
        Map<String, LinkedHashSet<String>> byAffiliate = new LinkedHashMap<>();
        for (KubeSpanEndpoint h : harvested) {
            if (h.affiliateID().isEmpty() || h.affiliateID().equals(ownId)
                    || !DiscoveredAffiliates.validId(h.affiliateID())) {
                continue;
            }
            byAffiliate.computeIfAbsent(h.affiliateID(), k -> new LinkedHashSet<>()).add(h.endpoint());
        }
        Map<String, List<byte[]>> others = new LinkedHashMap<>();
        byAffiliate.forEach((id, eps) -> {
            List<byte[]> blobs = sealAll(payloads, new ArrayList<>(eps), "harvested/" + id);
            if (!blobs.isEmpty()) {
                others.put(id, blobs);
            }
        });
        return new Publication(data, ownBlobs, others);
    }

    private List<byte[]> sealAll(SealedPayloads payloads, List<String> endpoints, String key) {
        List<byte[]> out = new ArrayList<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (String text : endpoints) {
            if (!seen.add(text)) {
                continue;
            }
            if (out.size() == MAX_ENDPOINTS) {
                problems.accept(key + "/limit", key + ": only the first " + MAX_ENDPOINTS + " endpoints are published");
                break;
            }
            try {
                out.add(payloads.sealEndpoint(Endpoint.parse(text)));
            } catch (IllegalArgumentException e) {
                problems.accept(key + "/" + text, key + ": endpoint not published: " + e.getMessage());
            }
        }
        return out;
    }
}
