package dev.kubespan.metrics.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RegistryStatus;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.Specs;

public class MeshMetricsTest {
    static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    static final String KEY2 = "Zm9vYmFyYmF6cXV4AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    static final String KEY3 = "cXV4YmF6YmFyZm9vAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    static final Key LOCAL_KEY = Key.fromBase64("cHJpdmF0ZWtleXByaXZhdGVrZXlwcml2YXRla2V5MTI=");
    private final InMemoryResourceStore store = new InMemoryResourceStore();
    private MeshMetrics metrics;

    @After
    public void tearDown() {
        if (metrics != null) {
            metrics.close();
        }
        store.deactivate();
    }

    static String text(io.prometheus.metrics.model.snapshots.MetricSnapshots s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, s);
        return out.toString(StandardCharsets.UTF_8);
    }

    static KubeSpanPeerStatus status(String label, PeerState state, String endpoint, long rx, Instant handshake) {
        return new KubeSpanPeerStatus(endpoint, label, state, rx, rx / 2, handshake, endpoint, NOW);
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    public void peersRegistriesAndTheLinkAreExposedByNameNeverByKey() throws Exception {
        store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID,
                new KubeSpanIdentity(IpPrefix.parse("fd00::1/128"), IpPrefix.parse("fd00::/64"), LOCAL_KEY,
                        LOCAL_KEY.publicKey()), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, KEY2,
                Specs.peerSpec("fd00::2", List.of(), List.of("10.0.0.2:51820"), "node2"), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.UP, "10.0.0.2:51820", 1000, NOW.minusSeconds(30)), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY3,
                status("node3", PeerState.UNKNOWN, "", 0, null), "test");
        store.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                new RegistryStatus("service", "http://d:3000", ConnectionState.CONNECTED, 2, "", null), "test");
        store.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "kubespan",
                new LinkStatus(Backend.USERSPACE, true, true, 1420, 51820, 2, 42, ""), "test");
        metrics = new MeshMetrics(store, Clock.fixed(NOW, ZoneOffset.UTC));

        String t = text(metrics.collect());
        assertTrue(t, t.contains("kubespan_peer_up{peer=\"node2\"} 1.0") || t.contains("kubespan_peer_up{peer=\"node2\"} 1\n"));
        assertTrue(t, t.contains("kubespan_peer_state{peer=\"node3\",state=\"unknown\"} 1"));
        assertTrue(t, t.contains("kubespan_peer_receive_bytes_total{peer=\"node2\"} 1000"));
        assertTrue(t, t.contains("kubespan_peer_last_handshake_age_seconds{peer=\"node2\"} 30"));
        assertFalse("no handshake, no age", t.contains("kubespan_peer_last_handshake_age_seconds{peer=\"node3\"}"));
        assertTrue(t, t.contains("kubespan_registry_connected{registry=\"service/default\"} 1"));
        assertTrue(t, t.contains("kubespan_link_info{backend=\"userspace\",link=\"kubespan\"} 1"));
        assertTrue(t, t.contains("kubespan_peers{state=\"up\"} 1"));
        assertFalse("keys never appear", t.contains(KEY2) || t.contains(KEY3) || t.contains("cHJpdmF0ZW"));
    }

    @Test
    public void endpointChangesAndStateTransitionsAreCountedFromWatches() throws Exception {
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.UNKNOWN, "10.0.0.2:51820", 0, null), "test");
        metrics = new MeshMetrics(store, Clock.fixed(NOW, ZoneOffset.UTC));
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.UP, "10.0.0.2:51820", 10, NOW), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.DOWN, "10.0.0.2:51820", 20, NOW), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.UNKNOWN, "192.0.2.2:51820", 20, NOW), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("node2", PeerState.UP, "192.0.2.2:51820", 30, NOW), "test");
        await("five writes seen", () -> {
            try {
                return text(metrics.collect()).contains("kubespan_peer_state_transitions_total{peer=\"node2\",state=\"up\"} 2");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        String t = text(metrics.collect());
        assertTrue(t, t.contains("kubespan_peer_state_transitions_total{peer=\"node2\",state=\"down\"} 1"));
        assertTrue("the initial listing is no transition:\n" + t,
                t.contains("kubespan_peer_state_transitions_total{peer=\"node2\",state=\"unknown\"} 1"));
        assertTrue(t, t.contains("kubespan_peer_endpoint_changes_total{peer=\"node2\"} 1"));

        store.delete(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2, "test");
        await("a removed peer's series go", () -> {
            try {
                return !text(metrics.collect()).contains("node2");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    public void registryErrorsCountNewErrorsOnly() throws Exception {
        Instant old = NOW.minusSeconds(600);
        store.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                new RegistryStatus("service", "http://d:3000", ConnectionState.BACKOFF, 0, "refused", old), "test");
        metrics = new MeshMetrics(store, Clock.fixed(NOW, ZoneOffset.UTC));
        store.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                new RegistryStatus("service", "http://d:3000", ConnectionState.BACKOFF, 0, "refused", NOW), "test");
        store.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                new RegistryStatus("service", "http://d:3000", ConnectionState.CONNECTED, 3, "refused", NOW), "test");
        await("one new error", () -> {
            try {
                return text(metrics.collect()).contains("kubespan_registry_connected{registry=\"service/default\"} 1");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        String t = text(metrics.collect());
        assertTrue(t, t.contains("kubespan_registry_errors_total{registry=\"service/default\"} 1"));
        assertTrue(t, t.contains("kubespan_registry_state{registry=\"service/default\",state=\"connected\"} 1"));
    }

    @Test
    public void twoPeersWithOneLabelStayTwoSeries() throws Exception {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, KEY3,
                Specs.peerSpec("fd00::3", List.of(), List.of(), "twin"), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY2,
                status("twin", PeerState.UP, "", 0, null), "test");
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, KEY3,
                status("twin", PeerState.UP, "", 0, null), "test");
        metrics = new MeshMetrics(store, Clock.fixed(NOW, ZoneOffset.UTC));
        String t = text(metrics.collect());
        assertEquals(t, 2, t.lines().filter(l -> l.startsWith("kubespan_peer_up{")).count());
        assertTrue(t, t.contains("peer=\"twin (fd00::3)\"") || t.contains("peer=\"twin (#1)\""));
    }
}
