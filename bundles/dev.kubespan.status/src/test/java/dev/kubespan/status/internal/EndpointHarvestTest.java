package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.test.Specs;

public class EndpointHarvestTest {
    private static KubeSpanPeerStatus status(String endpoint, PeerState state) {
        return new KubeSpanPeerStatus(endpoint, "n", state, 1, 1, Instant.parse("2026-11-26T12:00:00Z"),
                "192.0.2.1:51820", Instant.parse("2026-11-26T11:00:00Z"));
    }

    private static Affiliate affiliate(String nodeId, String key) {
        return new Affiliate(nodeId, List.of(), "", "", "", "worker",
                key == null ? null : Specs.kubeSpan(Specs.key(key), "fd00::1", List.of(), List.of(), List.of()), null);
    }

    /** The public key (base64, the statuses' ids) that {@code label} names. */
    private static String k(String label) {
        return Specs.key(label).toBase64();
    }

    @Test
    public void onlyUpPeersWithAnEndpointAndAKnownAffiliate() {
        Map<String, KubeSpanPeerStatus> statuses = Map.of(
                k("k-up"), status("203.0.113.9:4000", PeerState.UP),
                k("k-down"), status("203.0.113.10:51820", PeerState.DOWN),
                k("k-unknown"), status("203.0.113.11:51820", PeerState.UNKNOWN),
                k("k-noendpoint"), status("", PeerState.UP),
                k("k-noaffiliate"), status("203.0.113.12:51820", PeerState.UP));
        List<Affiliate> affiliates = List.of(affiliate("node-up", "k-up"), affiliate("node-down", "k-down"),
                affiliate("node-unknown", "k-unknown"), affiliate("node-noendpoint", "k-noendpoint"),
                affiliate("node-without-kubespan", null), affiliate("node-local", "k-local"));
        assertEquals(Map.of(k("k-up"), new KubeSpanEndpoint("node-up", "203.0.113.9:4000")),
                EndpointHarvest.of(statuses, affiliates));
    }
}
