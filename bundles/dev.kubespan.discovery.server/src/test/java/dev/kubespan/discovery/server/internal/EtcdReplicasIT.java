package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.server.internal.state.Limits;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import dev.kubespan.api.Log;

/**
 * Several discovery replicas on one real etcd cluster (three members in network namespaces):
 * what one replica takes, every replica's watchers see; expiry is etcd's and reaches every
 * replica; losing one etcd member changes nothing; losing all makes the replicas say so and
 * recover by themselves; the caps hold exactly when replicas write concurrently.
 */
public class EtcdReplicasIT {
    private static final String CLUSTER = "replicated-cluster";
    private static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(1800)
            .build();
    private static EtcdLab etcd;

    @Rule
    public TestName test = new TestName();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeClass
    public static void startEtcd() throws Exception {
        etcd = EtcdLab.start("replicas", 3);
    }

    @AfterClass
    public static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @After
    public void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private ServerSettings settings() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return new ServerSettings().listen(new InetSocketAddress(lo, 0)).metrics(new InetSocketAddress(lo, 0))
                .snapshot(null, Duration.ofHours(1)).rateLimit(0, 1)
                .etcd(etcd.settings("/replicas/" + test.getMethodName() + "/"));
    }

    private List<DiscoveryServer> replicas(int n, ServerSettings s) throws IOException {
        List<DiscoveryServer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DiscoveryServer d = DiscoveryServer.start(s, Log.console("[discovery server]", false));
            toClose.add(d);
            out.add(d);
        }
        return out;
    }

    private OwnedChannel channel(DiscoveryServer server) throws IOException {
        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext().threadNamePrefix("test-client")
                .build();
        toClose.add(ch);
        return ch;
    }

    private static ClusterGrpc.ClusterBlockingStub blocking(OwnedChannel ch) {
        return ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static AffiliateUpdateRequest update(String cluster, String id, int seq) {
        byte[] data = new byte[64];
        data[0] = (byte) (seq >>> 24);
        data[1] = (byte) (seq >>> 16);
        data[2] = (byte) (seq >>> 8);
        data[3] = (byte) seq;
        return AffiliateUpdateRequest.newBuilder().setClusterId(cluster).setAffiliateId(id)
                .setAffiliateData(ByteString.copyFrom(data)).addAffiliateEndpoints(ByteString.copyFrom(new byte[16]))
                .setTtl(TTL).build();
    }

    private static int seqOf(ByteString d) {
        return ((d.byteAt(0) & 0xff) << 24) | ((d.byteAt(1) & 0xff) << 16) | ((d.byteAt(2) & 0xff) << 8)
                | (d.byteAt(3) & 0xff);
    }

    /** Timestamps the arrival of each sequence number. */
    private static final class Arrivals implements StreamObserver<WatchResponse> {
        final Map<Integer, Long> at = new ConcurrentHashMap<>();
        final CountDownLatch snapshot = new CountDownLatch(1);
        final Set<String> deleted = ConcurrentHashMap.newKeySet();
        volatile Status end;

        @Override
        public void onNext(WatchResponse r) {
            long now = System.nanoTime();
            snapshot.countDown();
            for (var a : r.getAffiliatesList()) {
                if (r.getDeleted()) {
                    deleted.add(a.getId());
                } else if (a.getData().size() >= 4) {
                    at.putIfAbsent(seqOf(a.getData()), now);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            end = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
            end = Status.OK;
        }
    }

    private Arrivals watch(DiscoveryServer server, String cluster) throws Exception {
        Arrivals a = new Arrivals();
        ClusterGrpc.newStub(channel(server).channel()).watch(WatchRequest.newBuilder().setClusterId(cluster).build(), a);
        assertTrue("snapshot", a.snapshot.await(10, TimeUnit.SECONDS));
        return a;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    public void publishOnOneReplicaIsSeenByWatchersOnTheOthers() throws Exception {
        List<DiscoveryServer> r = replicas(3, settings());
        Arrivals on2 = watch(r.get(1), CLUSTER);
        Arrivals on3 = watch(r.get(2), CLUSTER);
        var writer = blocking(channel(r.get(0)));
        int rounds = 50;
        long[] latency = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            writer.affiliateUpdate(update(CLUSTER, "node-a", i));
            int seq = i;
            await("update " + i + " on replica 2", Duration.ofSeconds(10), () -> on2.at.containsKey(seq));
            latency[i] = on2.at.get(seq) - t0;
        }
        await("every update on replica 3", Duration.ofSeconds(10), () -> on3.at.size() >= rounds);
        java.util.Arrays.sort(latency);
        System.out.printf("FIGURE cross-replica latency (update on replica 1 -> watcher on replica 2, 3-member etcd): "
                + "median %.1f ms, p90 %.1f ms, max %.1f ms over %d updates%n", latency[rounds / 2] / 1e6,
                latency[rounds * 9 / 10] / 1e6, latency[rounds - 1] / 1e6, rounds);
        for (DiscoveryServer d : r) {
            assertEquals(1, blocking(channel(d)).list(ListRequest.newBuilder().setClusterId(CLUSTER).build())
                    .getAffiliatesCount());
        }
    }

    @Test
    public void ttlExpiryRemovesAnAffiliateFromEveryReplica() throws Exception {
        List<DiscoveryServer> r = replicas(3, settings());
        List<Arrivals> watchers = new ArrayList<>();
        for (DiscoveryServer d : r) {
            watchers.add(watch(d, CLUSTER));
        }
        blocking(channel(r.get(0))).affiliateUpdate(update(CLUSTER, "stays", 1));
        blocking(channel(r.get(0))).affiliateUpdate(update(CLUSTER, "expires", 2).toBuilder()
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(2)).build());
        long t0 = System.nanoTime();
        for (Arrivals w : watchers) {
            await("expiry seen by every replica's watcher", Duration.ofSeconds(15), () -> w.deleted.contains("expires"));
        }
        System.out.printf("FIGURE TTL 2 s affiliate removed from all 3 replicas after %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        for (DiscoveryServer d : r) {
            var ids = blocking(channel(d)).list(ListRequest.newBuilder().setClusterId(CLUSTER).build())
                    .getAffiliatesList().stream().map(a -> a.getId()).toList();
            assertEquals(List.of("stays"), ids);
        }
        assertFalse(watchers.get(0).deleted.contains("stays"));
    }

    @Test
    public void killingOneEtcdMemberChangesNothing() throws Exception {
        List<DiscoveryServer> r = replicas(2, settings());
        Arrivals watcher = watch(r.get(1), CLUSTER);
        var writer = blocking(channel(r.get(0)));
        int failures = 0;
        int sent = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        boolean killed = false;
        String leaderBefore = leader();
        try {
            while (System.nanoTime() < end) {
                if (!killed && sent == 20) {
                    etcd.kill(leaderBefore == null ? 1 : Integer.parseInt(leaderBefore));
                    killed = true;
                }
                try {
                    writer.affiliateUpdate(update(CLUSTER, "node-" + (sent % 5), sent));
                } catch (StatusRuntimeException e) {
                    failures++;
                    System.err.println("update failed: " + e.getStatus());
                }
                sent++;
            }
            int total = sent;
            await("every update reached the other replica's watcher", Duration.ofSeconds(15),
                    () -> watcher.at.size() >= total - 0);
            System.out.printf("FIGURE etcd leader (member %s) killed during %d updates: %d failed, %d seen by the "
                    + "watcher on the other replica%n", leaderBefore, sent, failures, watcher.at.size());
            assertEquals("failed updates while one etcd member was killed", 0, failures);
            assertNull("the watch stayed open", watcher.end);
            assertTrue(r.get(0).state().health().available());
            assertTrue(r.get(1).state().health().available());
        } finally {
            etcd.restart(leaderBefore == null ? 1 : Integer.parseInt(leaderBefore));
        }
    }

    /** The member number (1-based) that leads now, from etcdctl's status table. */
    private static String leader() {
        String out = etcd.ctl(1, "endpoint", "status", "--cluster", "-w", "simple");
        for (String line : out.split("\n")) {
            String[] cells = line.split(",\\s*");
            if (cells.length > 4 && cells[4].trim().equals("true")) {
                String url = cells[0].trim();
                return String.valueOf(Integer.parseInt(url.replaceAll(".*\\.(\\d+):2379$", "$1")) - 10);
            }
        }
        return null;
    }

    @Test
    public void withEveryEtcdMemberDownReplicasReportUnavailableAndRecover() throws Exception {
        List<DiscoveryServer> r = replicas(2, settings());
        var writer = blocking(channel(r.get(0)));
        writer.affiliateUpdate(update(CLUSTER, "before", 1));
        Arrivals watcher = watch(r.get(1), CLUSTER);
        etcd.killAll();
        try {
            StatusRuntimeException refused = null;
            long t0 = System.nanoTime();
            try {
                writer.affiliateUpdate(update(CLUSTER, "during", 2));
            } catch (StatusRuntimeException e) {
                refused = e;
            }
            System.out.printf("FIGURE update with every etcd member down refused after %.1f s: %s%n",
                    (System.nanoTime() - t0) / 1e9, refused == null ? "accepted" : refused.getStatus());
            assertTrue("an update fails while etcd is down", refused != null);
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription(),
                    refused.getStatus().getDescription().startsWith("state backend (etcd) unavailable"));
            for (DiscoveryServer d : r) {
                await("replica reports etcd unavailable", Duration.ofSeconds(15), () -> !d.state().health().available());
                assertTrue(d.state().health().detail(), d.state().health().detail().startsWith("etcd unavailable"));
                String metrics = DiscoveryServerTest.scrape(d);
                assertTrue(metrics, metrics.contains("discovery_backend_available 0\n"));
                assertTrue(metrics, metrics.contains("discovery_backend_errors_total{backend=\"etcd\""));
            }
            System.out.println("FIGURE replica status with every etcd member down: " + r.get(1).state().health().detail());
            // Reads keep serving the last state seen; open watches stay open.
            assertEquals(1, blocking(channel(r.get(1))).list(ListRequest.newBuilder().setClusterId(CLUSTER).build())
                    .getAffiliatesCount());
            assertNull(watcher.end);
        } finally {
            etcd.restartAll();
        }
        for (DiscoveryServer d : r) {
            await("replica sees etcd again", Duration.ofSeconds(30), () -> d.state().health().available());
        }
        writer.affiliateUpdate(update(CLUSTER, "after", 3));
        await("the watcher opened before the outage sees the update after it", Duration.ofSeconds(10),
                () -> watcher.at.containsKey(3));
        assertNull(watcher.end);
    }

    @Test
    public void replicasAuthenticateToEtcdWithAUserAndAPasswordFile() throws Exception {
        java.nio.file.Path password = java.nio.file.Files.createTempFile("etcd-password", "");
        java.nio.file.Files.writeString(password, "s3cret-for-tests\n");
        etcd.ctl(1, "user", "add", "root:s3cret-for-tests");
        etcd.ctl(1, "user", "add", "discovery:s3cret-for-tests");
        etcd.ctl(1, "role", "add", "discovery");
        etcd.ctl(1, "role", "grant-permission", "discovery", "--prefix=true", "readwrite", "/replicas/");
        etcd.ctl(1, "user", "grant-role", "discovery", "discovery");
        etcd.ctl(1, "auth", "enable");
        try {
            var base = settings();
            var plain = etcd.settings("/replicas/" + test.getMethodName() + "/");
            var withUser = new dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings(plain.endpoints(), false,
                    null, null, null, "discovery", password, plain.prefix(), plain.requestTimeout());
            List<DiscoveryServer> r = replicas(2, base.etcd(withUser));
            Arrivals watcher = watch(r.get(1), CLUSTER);
            blocking(channel(r.get(0))).affiliateUpdate(update(CLUSTER, "authenticated", 42));
            await("the update reached the other replica", Duration.ofSeconds(10), () -> watcher.at.containsKey(42));
            try {
                DiscoveryServer.start(settings(), Log.console("[discovery server]", false)).close();
                fail("a replica without credentials started");
            } catch (IOException expected) {
                System.out.println("FIGURE replica without etcd credentials refuses to start: " + expected.getMessage());
            }
        } finally {
            etcd.ctl(1, "--user", "root:s3cret-for-tests", "auth", "disable");
            java.nio.file.Files.deleteIfExists(password);
        }
    }

    @Test
    public void capsHoldExactlyWhenReplicasCreateConcurrently() throws Exception {
        ServerSettings s = settings().caps(4, 12);
        List<DiscoveryServer> r = replicas(3, s);
        List<OwnedChannel> channels = new ArrayList<>();
        for (DiscoveryServer d : r) {
            channels.add(channel(d));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicInteger ok = new AtomicInteger();
        Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        List<String[]> work = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            for (int a = 0; a < 5; a++) {
                work.add(new String[] {"cluster-" + c, "node-" + a});
            }
        }
        Collections.shuffle(work, new java.util.Random(7));
        for (int i = 0; i < work.size(); i++) {
            String[] w = work.get(i);
            OwnedChannel ch = channels.get(i % channels.size());
            done.add(pool.submit(() -> {
                try {
                    blocking(ch).affiliateUpdate(update(w[0], w[1], 1));
                    ok.incrementAndGet();
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
                    refusals.computeIfAbsent(e.getStatus().getDescription(), k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        int stored = 0;
        int clusters = 0;
        for (int c = 0; c < 6; c++) {
            int n = blocking(channels.get(c % 3)).list(ListRequest.newBuilder().setClusterId("cluster-" + c).build())
                    .getAffiliatesCount();
            stored += n;
            clusters += n > 0 ? 1 : 0;
        }
        System.out.printf("FIGURE caps 4 clusters / 12 affiliates, 30 concurrent creations over 3 replicas: %d stored "
                + "in %d clusters, refused %s%n", stored, clusters, refusals);
        assertEquals("clusters holding affiliates", 4, clusters);
        assertEquals("affiliates stored", 12, stored);
        assertEquals("successful creations", 12, ok.get());
        long counted = 0;
        for (DiscoveryServer d : r) {
            String m = DiscoveryServerTest.scrape(d);
            for (String limit : List.of("clusters", "affiliates")) {
                var matcher = java.util.regex.Pattern
                        .compile("discovery_state_limit_rejections_total\\{limit=\"" + limit + "\"} (\\d+)").matcher(m);
                if (matcher.find()) {
                    counted += Long.parseLong(matcher.group(1));
                }
            }
        }
        assertEquals("refusals counted in the replicas' metrics", 18, counted);
    }

    @Test
    public void perClusterLimitHoldsExactlyWhenReplicasCreateConcurrently() throws Exception {
        ServerSettings s = settings().limits(Limits.DEFAULT.withMaxAffiliatesPerCluster(10));
        List<DiscoveryServer> r = replicas(3, s);
        List<OwnedChannel> channels = new ArrayList<>();
        for (DiscoveryServer d : r) {
            channels.add(channel(d));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicInteger ok = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            OwnedChannel ch = channels.get(i % 3);
            String id = "node-" + i;
            done.add(pool.submit(() -> {
                try {
                    blocking(ch).affiliateUpdate(update(CLUSTER, id, 1));
                    ok.incrementAndGet();
                } catch (StatusRuntimeException e) {
                    assertEquals("too many affiliates in the cluster", e.getStatus().getDescription());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(10, ok.get());
        for (OwnedChannel ch : channels) {
            assertEquals(10, blocking(ch).list(ListRequest.newBuilder().setClusterId(CLUSTER).build()).getAffiliatesCount());
        }
    }
}
