package dev.kubespan.discovery.server.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import io.grpc.stub.StreamObserver;

/**
 * Benchmark over real TCP on 127.0.0.1 (not a test: prints figures). One cluster of 1024
 * affiliates; measures AffiliateUpdate throughput, then the time for one update to reach 100 and
 * 1000 watchers. Run: {@code mvn -B -q -pl bundles/dev.kubespan.discovery.server test-compile exec:java}.
 */
public final class DiscoveryServerBenchmark {
    private static final String CLUSTER = "benchmark-cluster";
    private static final int AFFILIATES = 1024;
    /** An existing affiliate: the cluster is full, so the measured update changes its data. */
    private static final String MARKER_ID = "node-0";
    private static final int DATA_BYTES = 300; // a typical Talos affiliate blob
    private static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(1800).build();

    private DiscoveryServerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = new ServerSettings()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .metrics(null)
                .snapshot(null, Duration.ofHours(1))
                .rateLimit(0, 1);
        try (DiscoveryServer server = DiscoveryServer.start(settings, ServerLog.stderr(false));
                OwnedChannel writer = channel(server)) {
            System.out.printf("machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            for (int i = 0; i < AFFILIATES; i++) {
                ClusterGrpc.newBlockingStub(writer.channel()).affiliateUpdate(update("node-" + i, i));
            }
            System.out.printf("cluster filled: %d affiliates, %d-byte data, 2 endpoints each%n", AFFILIATES, DATA_BYTES);

            throughput(writer, 1, 5_000);
            throughput(writer, 8, 20_000);
            for (int watchers : new int[] {100, 1000}) {
                fanOut(server, writer, watchers, 20);
            }
        }
    }

    private static OwnedChannel channel(DiscoveryServer server) throws java.io.IOException {
        return OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext().threadNamePrefix("bench-client")
                .maxInboundMessageSize(64 * 1024 * 1024).build();
    }

    private static AffiliateUpdateRequest update(String id, int seq) {
        byte[] data = new byte[DATA_BYTES];
        Arrays.fill(data, (byte) seq);
        data[0] = (byte) (seq >>> 24);
        data[1] = (byte) (seq >>> 16);
        data[2] = (byte) (seq >>> 8);
        data[3] = (byte) seq;
        return AffiliateUpdateRequest.newBuilder().setClusterId(CLUSTER).setAffiliateId(id)
                .setAffiliateData(ByteString.copyFrom(data))
                .addAffiliateEndpoints(ByteString.copyFrom(new byte[16]))
                .addAffiliateEndpoints(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setTtl(TTL).build();
    }

    private static void throughput(OwnedChannel ch, int callers, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            done.add(pool.submit(() -> {
                var stub = ClusterGrpc.newBlockingStub(ch.channel());
                long i;
                while ((i = next.getAndIncrement()) < total) {
                    stub.affiliateUpdate(update("node-" + (i % AFFILIATES), (int) i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("AffiliateUpdate throughput, %d concurrent blocking caller(s), no watchers: %.0f updates/s (%d in %.2f s)%n",
                callers, total / seconds, total, seconds);
    }

    /** A watcher that timestamps the arrival of a marked update. */
    private static final class TimedWatcher implements StreamObserver<WatchResponse> {
        final CountDownLatch snapshot = new CountDownLatch(1);
        volatile CountDownLatch round;
        volatile int marker = -1;
        volatile long arrivedAt;

        @Override
        public void onNext(WatchResponse r) {
            if (snapshot.getCount() > 0) {
                snapshot.countDown();
                return;
            }
            int m = marker;
            if (r.getAffiliatesCount() == 1 && r.getAffiliates(0).getId().equals(MARKER_ID)) {
                ByteString d = r.getAffiliates(0).getData();
                int seq = ((d.byteAt(0) & 0xff) << 24) | ((d.byteAt(1) & 0xff) << 16) | ((d.byteAt(2) & 0xff) << 8)
                        | (d.byteAt(3) & 0xff);
                if (seq == m) {
                    arrivedAt = System.nanoTime();
                    round.countDown();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            // the benchmark closes the channels at the end of each step
        }

        @Override
        public void onCompleted() {
        }
    }

    private static void fanOut(DiscoveryServer server, OwnedChannel writer, int watchers, int rounds) throws Exception {
        int perChannel = 100;
        List<OwnedChannel> channels = new ArrayList<>();
        List<TimedWatcher> ws = new ArrayList<>();
        long setup = System.nanoTime();
        try {
            for (int i = 0; i < watchers; i++) {
                if (i % perChannel == 0) {
                    channels.add(channel(server));
                }
                TimedWatcher w = new TimedWatcher();
                ClusterGrpc.newStub(channels.get(channels.size() - 1).channel())
                        .watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build(), w);
                ws.add(w);
            }
            for (TimedWatcher w : ws) {
                if (!w.snapshot.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("snapshot not received");
                }
            }
            System.out.printf("%d watchers on %d connections received their 1024-affiliate snapshot in %.2f s%n",
                    watchers, channels.size(), (System.nanoTime() - setup) / 1e9);
            long[] last = new long[rounds];
            long[] median = new long[rounds];
            var stub = ClusterGrpc.newBlockingStub(writer.channel());
            for (int r = 0; r < rounds; r++) {
                CountDownLatch latch = new CountDownLatch(watchers);
                int marker = 1_000_000 + r;
                for (TimedWatcher w : ws) {
                    w.round = latch;
                    w.marker = marker;
                }
                long t0 = System.nanoTime();
                stub.affiliateUpdate(update(MARKER_ID, marker));
                if (!latch.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("update did not reach every watcher");
                }
                long[] lat = ws.stream().mapToLong(w -> w.arrivedAt - t0).sorted().toArray();
                last[r] = lat[lat.length - 1];
                median[r] = lat[lat.length / 2];
                Thread.sleep(50);
            }
            Arrays.sort(last);
            Arrays.sort(median);
            System.out.printf("one update -> %d watchers: all reached in median %.2f ms (min %.2f, max %.2f) over %d rounds; "
                    + "median watcher %.2f ms%n", watchers, last[rounds / 2] / 1e6, last[0] / 1e6,
                    last[rounds - 1] / 1e6, rounds, median[rounds / 2] / 1e6);
        } finally {
            for (OwnedChannel c : channels) {
                c.close();
            }
        }
    }
}
