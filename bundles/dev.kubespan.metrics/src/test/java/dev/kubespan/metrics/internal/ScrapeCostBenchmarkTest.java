package dev.kubespan.metrics.internal;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RegistryStatus;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.test.Specs;

/**
 * What one scrape of {@code /metrics} costs the agent with 100 peers (and 1000, for the trend):
 * reading the store, building the families and writing the Prometheus text, as the servlet does
 * (without HTTP). Prints the figures; asserts only that every peer is in the output.
 */
public class ScrapeCostBenchmarkTest {
    private static final long WARMUP_NANOS = 1_500_000_000L;
    private static final long MEASURE_NANOS = 1_500_000_000L;

    /** Scrapes until {@code nanos} have passed; returns {count, elapsed nanos}. */
    private static long[] loop(MeshMetrics mesh, ProcessMetrics process, ExpositionFormatWriter writer,
            ByteArrayOutputStream out, long nanos) throws IOException {
        long t0 = System.nanoTime();
        long n = 0;
        long elapsed;
        do {
            out.reset();
            writer.write(out, mesh.collect());
            writer.write(out, process.collect());
            n++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < nanos);
        return new long[] {n, elapsed};
    }

    @Test
    public void scrapeCostFor100And1000Peers() throws IOException {
        for (int peers : new int[] {100, 1000}) {
            measure(peers);
        }
    }

    private static void measure(int peers) throws IOException {
        InMemoryResourceStore store = new InMemoryResourceStore();
        MeshMetrics mesh = null;
        try {
            Instant now = Instant.now();
            for (int i = 0; i < peers; i++) {
                String key = String.format("peer%039d=", i);
                store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, key, Specs.peerSpec(
                        "fd00::" + Integer.toHexString(i + 2), List.of(), List.of("10.0.0.1:51820"), "node" + i), "bench");
                store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, key, new KubeSpanPeerStatus(
                        "10.0.0.1:51820", "node" + i, i % 10 == 0 ? PeerState.DOWN : PeerState.UP, 1_000_000L * i,
                        500_000L * i, now.minusSeconds(i % 120), "10.0.0.1:51820", now), "bench");
            }
            store.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                    new RegistryStatus("service", "https://discovery", ConnectionState.CONNECTED, peers, "", null), "bench");
            store.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "kubespan",
                    new LinkStatus(Backend.KERNEL, true, true, 1420, 51820, peers, 0, ""), "bench");
            mesh = new MeshMetrics(store);
            ProcessMetrics process = new ProcessMetrics();
            ExpositionFormatWriter writer = ExpositionFormats.init().getPrometheusTextFormatWriter();
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            // Bounded by time, not count: a loaded CI machine must not turn this into minutes.
            loop(mesh, process, writer, out, WARMUP_NANOS);
            long[] scrape = loop(mesh, process, writer, out, MEASURE_NANOS);
            double ms = scrape[1] / 1e6 / scrape[0];
            long runs = scrape[0];
            long t1 = System.nanoTime();
            long collects = 0;
            while (System.nanoTime() - t1 < MEASURE_NANOS / 2) {
                mesh.collect();
                collects++;
            }
            double collectMs = (System.nanoTime() - t1) / 1e6 / collects;
            String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(peers, text.lines().filter(l -> l.startsWith("kubespan_peer_up{")).count());
            System.out.printf("FIGURE metrics scrape, %d peers: %.3f ms per scrape (%.3f ms of it reading the store"
                    + " and building the families), %d bytes of text (%d runs, one thread, no HTTP)%n", peers, ms,
                    collectMs, out.size(), runs);
        } finally {
            if (mesh != null) {
                mesh.close();
            }
            store.deactivate();
        }
    }
}
