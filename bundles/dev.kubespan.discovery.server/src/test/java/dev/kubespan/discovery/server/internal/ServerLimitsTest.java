package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.server.internal.metrics.LimitMetrics;
import dev.kubespan.discovery.server.internal.metrics.PrometheusTextCheck;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import dev.kubespan.api.Log;

/** Each configurable limit over real TCP on loopback, with its counter. */
public class ServerLimitsTest {
    private static final String CLUSTER = "Y2x1c3Rlci1pZC1mb3ItdGVzdHMtMzItYnl0ZXMtbG9uZw==";
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static ServerSettings settings() {
        return new ServerSettings().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .metrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).snapshot(null, Duration.ofHours(1));
    }

    private DiscoveryServer start(ServerSettings s) throws IOException {
        DiscoveryServer server = DiscoveryServer.start(s, Log.console("[discovery server]", false));
        toClose.add(server);
        return server;
    }

    private OwnedChannel channel(DiscoveryServer server) throws IOException {
        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext()
                .threadNamePrefix("test-client").build();
        toClose.add(ch);
        return ch;
    }

    private static HelloRequest hello() {
        return HelloRequest.newBuilder().setClusterId(CLUSTER).build();
    }

    private static StatusRuntimeException failure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("call succeeded");
    }

    private Socket connect(String from, DiscoveryServer server) throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
        return s;
    }

    private static long millisUntilClosed(Socket s, long maxMs) throws IOException {
        long start = System.nanoTime();
        s.setSoTimeout((int) maxMs);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // SETTINGS, GOAWAY, PING from the server
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + maxMs + " ms");
        } catch (IOException reset) {
            // RST
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    public void silentAndPrefaceOnlyConnectionsAreClosed() throws Exception {
        DiscoveryServer server = start(settings().handshakeTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300)));
        Socket silent = connect("127.0.0.2", server);
        Socket prefaceOnly = connect("127.0.0.3", server);
        OutputStream out = prefaceOnly.getOutputStream();
        out.write(PREFACE);
        out.write(EMPTY_SETTINGS);
        out.flush();
        long silentMs = millisUntilClosed(silent, 5000);
        long prefaceMs = millisUntilClosed(prefaceOnly, 15_000);
        System.out.printf("handshake timeout 300 ms: silent connection closed after %d ms; idle timeout 300 ms:"
                + " preface-only connection closed after %d ms (GOAWAY, then grpc's 10 s ping grace)%n", silentMs,
                prefaceMs);
        assertTrue(silentMs >= 250 && prefaceMs >= 300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!DiscoveryServerTest.scrape(server).contains("discovery_server_connections 0\n")) {
            assertTrue("connections still counted", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    @Test
    public void callsPerIpAreCappedAndGivenBackWhenTheyEnd() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(0, 1).maxCalls(0, 3));
        OwnedChannel ch = channel(server);
        List<Context.CancellableContext> watches = new ArrayList<>();
        CountDownLatch snapshots = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            Context.CancellableContext ctx = Context.current().withCancellation();
            watches.add(ctx);
            ctx.run(() -> ClusterGrpc.newStub(ch.channel()).watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(dev.kubespan.discovery.grpc.server.WatchResponse value) {
                            snapshots.countDown();
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
        }
        assertTrue(snapshots.await(5, TimeUnit.SECONDS));
        var stub = ClusterGrpc.newBlockingStub(ch.channel());
        StatusRuntimeException refused = failure(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        assertEquals("too many concurrent calls from 127.0.0.1", refused.getStatus().getDescription());
        assertEquals(1, server.metrics().limits().callsRejected(LimitMetrics.IP_LIMIT));
        watches.get(0).cancel(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        HelloResponse r = null;
        while (r == null && System.nanoTime() < deadline) {
            try {
                r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello());
            } catch (StatusRuntimeException stillFull) {
                Thread.sleep(20);
            }
        }
        assertArrayEquals(new byte[] {127, 0, 0, 1}, r.getClientIp().toByteArray());
        watches.forEach(c -> c.cancel(null));
    }

    @Test
    public void theRateLimitQueueIsBoundedForAllClientsTogether() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(1, 1).rateLimitQueue(Duration.ofSeconds(10), 5));
        OwnedChannel ch = channel(server);
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        CountDownLatch refused = new CountDownLatch(14);
        List<Context.CancellableContext> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Context.CancellableContext ctx = Context.current().withCancellation();
            calls.add(ctx);
            ctx.run(() -> ClusterGrpc.newStub(ch.channel()).hello(hello(), new StreamObserver<>() {
                @Override
                public void onNext(HelloResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                    outcomes.merge(Status.fromThrowable(t).getDescription(), 1, Integer::sum);
                    refused.countDown();
                }

                @Override
                public void onCompleted() {
                    outcomes.merge("OK", 1, Integer::sum);
                }
            }));
        }
        assertTrue(outcomes.toString(), refused.await(5, TimeUnit.SECONDS));
        assertEquals(outcomes.toString(), Integer.valueOf(14), outcomes.get("too many calls waiting for the rate limit"));
        assertEquals(14, server.metrics().limits().callsRejected(LimitMetrics.RATE_LIMIT_QUEUE_FULL));
        String metrics = DiscoveryServerTest.scrape(server);
        assertTrue(metrics, metrics.contains("discovery_server_rate_limit_waiting 5\n"));
        calls.forEach(c -> c.cancel(null));
    }

    @Test
    public void aDelayedCallRunsWithItsClientAddressAndADelayedWatchGetsItsSnapshot() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(4, 1));
        OwnedChannel ch = channel(server);
        var stub = ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
        stub.hello(hello());
        long start = System.nanoTime();
        HelloResponse delayed = stub.hello(hello());
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue("waited " + waitedMs + " ms for its token", waitedMs >= 150);
        assertArrayEquals(new byte[] {127, 0, 0, 1}, delayed.getClientIp().toByteArray());
        var watch = stub.watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build());
        assertEquals(0, watch.next().getAffiliatesCount()); // the (empty) snapshot, after its token came
        assertTrue(DiscoveryServerTest.scrape(server).contains("discovery_server_rate_limit_delayed_total 2\n"));
    }

    @Test
    public void forwardingHeadersOnlyFromTrustedProxies() throws Exception {
        Metadata spoofed = new Metadata();
        spoofed.put(Metadata.Key.of("x-real-ip", Metadata.ASCII_STRING_MARSHALLER), "203.0.113.7");
        DiscoveryServer elsewhere = start(settings().trustProxyHeaders(true, true)
                .trustedProxies(List.of(IpPrefix.parse("10.0.0.0/8"))));
        DiscoveryServer local = start(settings().trustProxyHeaders(true, true)
                .trustedProxies(List.of(IpPrefix.parse("127.0.0.0/8"))));
        HelloResponse ignored = ClusterGrpc.newBlockingStub(channel(elsewhere).channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(spoofed)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .hello(hello());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, ignored.getClientIp().toByteArray());
        HelloResponse believed = ClusterGrpc.newBlockingStub(channel(local).channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(spoofed)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .hello(hello());
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 7}, believed.getClientIp().toByteArray());
    }

    @Test
    public void limitMetricsAreExposedAndParse() throws Exception {
        DiscoveryServer server = start(settings());
        ClusterGrpc.newBlockingStub(channel(server).channel()).withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello());
        String text = DiscoveryServerTest.scrape(server);
        PrometheusTextCheck.assertParses(text);
        for (String line : new String[] {"discovery_server_connections 1",
            "discovery_server_connections_rejected_total{reason=\"ip_limit\"} 0",
            "discovery_server_connections_rejected_total{reason=\"total_limit\"} 0",
            "discovery_server_transport_errors_total{kind=\"http2\"} 0",
            "discovery_server_transport_errors_total{kind=\"tls\"} 0",
            "discovery_server_calls_rejected_total{reason=\"ip_limit\"} 0",
            "discovery_server_calls_rejected_total{reason=\"rate_limit\"} 0",
            "discovery_server_calls_rejected_total{reason=\"rate_limit_queue_full\"} 0",
            "discovery_server_rate_limit_waiting 0", "discovery_server_rate_limit_delayed_total 0",
            "discovery_server_rate_limit_cancelled_total 0"}) {
            assertTrue(line + " in\n" + text, text.contains(line + "\n"));
        }
        // the Hello's place may be given back just after its answer reached the client
        assertTrue(text, text.matches("(?s).*\ndiscovery_server_active_calls [01]\n.*"));
    }
}
