package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.AffiliateDeleteRequest;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.server.internal.metrics.PrometheusTextCheck;
import dev.kubespan.test.SelfSignedCertificate;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import dev.kubespan.api.Log;

/** The whole server over real TCP on 127.0.0.1 with real grpc-java clients (h2c and TLS). */
public class DiscoveryServerTest {
    private static final String CLUSTER = "Y2x1c3Rlci1pZC1mb3ItdGVzdHMtMzItYnl0ZXMtbG9uZw==";
    private static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(1800).build();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SelfSignedCertificate cert;

    @After
    public void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** The settings every test starts from; a subclass runs the same tests on another state backend. */
    protected ServerSettings settings() {
        return new ServerSettings()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .metrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .snapshot(tmp.getRoot().toPath().resolve("state.bin"), Duration.ofHours(1))
                .gcInterval(Duration.ofMillis(200));
    }

    private DiscoveryServer start(ServerSettings s) throws IOException {
        DiscoveryServer server = DiscoveryServer.start(s, Log.console("[discovery server]", false));
        toClose.add(server);
        return server;
    }

    private OwnedChannel channel(DiscoveryServer server) throws IOException {
        OwnedChannel.Builder b = OwnedChannel.forTarget("127.0.0.1:" + server.port()).threadNamePrefix("test-client");
        if (server.isTls()) {
            b.trustedCa(cert.certificate()).overrideAuthority("localhost");
        } else {
            b.plaintext();
        }
        OwnedChannel ch = b.build();
        toClose.add(ch);
        return ch;
    }

    private static ClusterGrpc.ClusterBlockingStub blocking(OwnedChannel ch) {
        return ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static AffiliateUpdateRequest update(String id, byte[] data, byte[]... endpoints) {
        AffiliateUpdateRequest.Builder b = AffiliateUpdateRequest.newBuilder().setClusterId(CLUSTER).setAffiliateId(id)
                .setTtl(TTL);
        if (data != null) {
            b.setAffiliateData(ByteString.copyFrom(data));
        }
        for (byte[] e : endpoints) {
            b.addAffiliateEndpoints(ByteString.copyFrom(e));
        }
        return b.build();
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        fail("call succeeded");
        return null;
    }

    private void threeClientsSeeEachOther(DiscoveryServer server) throws Exception {
        List<WatchRecorder> watchers = new ArrayList<>();
        List<OwnedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            OwnedChannel ch = channel(server);
            channels.add(ch);
            HelloResponse hello = blocking(ch)
                    .hello(HelloRequest.newBuilder().setClusterId(CLUSTER).setClientVersion("v1.12.3").build());
            assertArrayEquals(new byte[] {127, 0, 0, 1}, hello.getClientIp().toByteArray());
            WatchRecorder w = new WatchRecorder();
            ClusterGrpc.newStub(ch.channel()).watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build(), w);
            watchers.add(w);
        }
        for (int i = 0; i < 3; i++) {
            blocking(channels.get(i)).affiliateUpdate(update("node-" + i, ("data-" + i).getBytes(), new byte[] {(byte) i}));
        }
        for (WatchRecorder w : watchers) {
            var view = w.awaitView(v -> v.size() == 3);
            assertEquals(Set.of("node-0", "node-1", "node-2"), view.keySet());
            assertEquals("data-2", view.get("node-2").getData().toStringUtf8());
            assertEquals(List.of(ByteString.copyFrom(new byte[] {2})), view.get("node-2").getEndpointsList());
        }
    }

    @Test
    public void threeClientsSeeEachOtherOverH2c() throws Exception {
        DiscoveryServer server = start(settings());
        assertFalse(server.isTls());
        threeClientsSeeEachOther(server);
    }

    @Test
    public void threeClientsSeeEachOtherOverTls() throws Exception {
        cert = SelfSignedCertificate.create(tmp.getRoot().toPath());
        DiscoveryServer server = start(settings().tls(cert.certificate(), cert.privateKey()));
        assertTrue(server.isTls());
        threeClientsSeeEachOther(server);
    }

    @Test
    public void deletionAndTtlExpiryReachWatchers() throws Exception {
        DiscoveryServer server = start(settings());
        OwnedChannel ch = channel(server);
        WatchRecorder w = new WatchRecorder();
        ClusterGrpc.newStub(ch.channel()).watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build(), w);
        blocking(ch).affiliateUpdate(update("stays", new byte[] {1}));
        blocking(ch).affiliateUpdate(update("deleted", new byte[] {2}));
        blocking(ch).affiliateUpdate(update("expires", new byte[] {3}).toBuilder()
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build());
        w.awaitView(v -> v.size() == 3);
        blocking(ch).affiliateDelete(AffiliateDeleteRequest.newBuilder().setClusterId(CLUSTER).setAffiliateId("deleted").build());
        blocking(ch).affiliateDelete(AffiliateDeleteRequest.newBuilder().setClusterId(CLUSTER).setAffiliateId("never-existed").build());
        var view = w.awaitView(v -> !v.containsKey("deleted") && !v.containsKey("expires"));
        assertEquals(Set.of("stays"), view.keySet());
        assertEquals(2, w.deletions);
        assertEquals(List.of("stays"), blocking(ch).list(ListRequest.newBuilder().setClusterId(CLUSTER).build())
                .getAffiliatesList().stream().map(Affiliate::getId).collect(Collectors.toList()));
    }

    @Test
    public void watcherThatDoesNotReadIsAborted() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(0, 1));
        OwnedChannel slow = channel(server);
        OwnedChannel writer = channel(server);
        // The blocking iterator requests one message at a time: nothing more is read until next().
        Iterator<WatchResponse> it = ClusterGrpc.newBlockingStub(slow.channel())
                .watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build());
        assertEquals(0, it.next().getAffiliatesCount());
        byte[] data = new byte[2048];
        int updates = 1500; // ~3 MB: more than the client's flow-control window and the server's buffers
        for (int i = 0; i < updates; i++) {
            data[0] = (byte) i;
            blocking(writer).affiliateUpdate(update("busy", data));
        }
        int received = 0;
        try {
            while (it.hasNext()) {
                it.next();
                received++;
            }
            fail("stream ended normally after " + received + " messages");
        } catch (StatusRuntimeException e) {
            assertEquals(Status.Code.ABORTED, e.getStatus().getCode());
            assertEquals("subscription canceled: lost update", e.getStatus().getDescription());
        }
        assertTrue("some updates were lost: " + received, received < updates);
        assertEquals(0, server.state().stats().subscriptions());
    }

    @Test
    public void restartRestoresStateFromSnapshot() throws Exception {
        DiscoveryServer first = start(settings());
        OwnedChannel ch = channel(first);
        blocking(ch).affiliateUpdate(update("a", new byte[] {1, 2}, new byte[16]));
        blocking(ch).affiliateUpdate(update("b", null, new byte[32]));
        ch.close();
        first.close(); // writes the final snapshot

        DiscoveryServer second = start(settings());
        List<Affiliate> list = new ArrayList<>(blocking(channel(second))
                .list(ListRequest.newBuilder().setClusterId(CLUSTER).build()).getAffiliatesList());
        list.sort((x, y) -> x.getId().compareTo(y.getId()));
        assertEquals(2, list.size());
        assertEquals(ByteString.copyFrom(new byte[] {1, 2}), list.get(0).getData());
        assertEquals(List.of(ByteString.copyFrom(new byte[16])), list.get(0).getEndpointsList());
        assertTrue(list.get(1).getData().isEmpty());
        assertEquals(1, list.get(1).getEndpointsCount());
        assertRestoredFromStorage(scrape(second));
    }

    /** The restarted server says where its state came from (in memory: the snapshot file). */
    protected void assertRestoredFromStorage(String metrics) {
        assertTrue(metrics, metrics.contains("discovery_storage_operations_total{operation=\"load\",status=\"success\"} 1"));
    }

    @Test
    public void rateLimitRefusesCallsThatCannotWaitForAToken() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(1, 2));
        OwnedChannel ch = channel(server);
        HelloRequest hello = HelloRequest.newBuilder().setClusterId(CLUSTER).build();
        blocking(ch).hello(hello);
        blocking(ch).hello(hello);
        StatusRuntimeException refused = null;
        try {
            ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(200, TimeUnit.MILLISECONDS).hello(hello);
        } catch (StatusRuntimeException e) {
            refused = e;
        }
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        assertEquals("rate limit exceeds request timeout", refused.getStatus().getDescription());
        // a caller with a long enough deadline waits for its token instead
        blocking(ch).hello(hello);
        assertTrue(scrape(server).contains("grpc_code=\"ResourceExhausted\"} 1"));
    }

    @Test
    public void limitsAndStatusCodesOverTheWire() throws Exception {
        DiscoveryServer server = start(settings().rateLimit(0, 1));
        OwnedChannel ch = channel(server);
        var stub = blocking(ch);
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.hello(HelloRequest.newBuilder().build())));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                code(() -> stub.list(ListRequest.newBuilder().setClusterId("x".repeat(257)).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                code(() -> stub.watch(WatchRequest.newBuilder().setClusterId("").build()).next()));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateUpdate(update("", null))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateUpdate(update("x".repeat(257), null))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateUpdate(update("a", new byte[2049]))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateUpdate(update("a", null, new byte[33]))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateUpdate(update("a", new byte[1]).toBuilder()
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(1801)).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.affiliateDelete(
                AffiliateDeleteRequest.newBuilder().setClusterId(CLUSTER).build())));

        for (int i = 0; i < 1024; i++) {
            blocking(ch).affiliateUpdate(update("node-" + i, new byte[] {1}));
        }
        StatusRuntimeException full = null;
        try {
            blocking(ch).affiliateUpdate(update("node-1024", new byte[] {1}));
        } catch (StatusRuntimeException e) {
            full = e;
        }
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        assertEquals("too many affiliates in the cluster", full.getStatus().getDescription());

        byte[][] endpoints = new byte[65][];
        for (int i = 0; i < 65; i++) {
            endpoints[i] = new byte[] {(byte) i};
        }
        StatusRuntimeException tooMany = null;
        try {
            blocking(ch).affiliateUpdate(update("node-0", null, endpoints));
        } catch (StatusRuntimeException e) {
            tooMany = e;
        }
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooMany.getStatus().getCode());
        assertEquals("too many endpoints in the affiliate", tooMany.getStatus().getDescription());
        assertEquals(1024, blocking(ch).list(ListRequest.newBuilder().setClusterId(CLUSTER).build()).getAffiliatesCount());
    }

    @Test
    public void helloReportsCallerIpRedirectAndTrustedProxyHeaders() throws Exception {
        DiscoveryServer plain = start(settings().redirect("discovery.example.net:443"));
        HelloRequest hello = HelloRequest.newBuilder().setClusterId(CLUSTER).setClientVersion("v1.13.0-beta.1").build();
        Metadata spoofed = new Metadata();
        spoofed.put(Metadata.Key.of("x-real-ip", Metadata.ASCII_STRING_MARSHALLER), "203.0.113.7");
        HelloResponse r = blocking(channel(plain)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(spoofed))
                .hello(hello);
        assertArrayEquals("headers not trusted by default", new byte[] {127, 0, 0, 1}, r.getClientIp().toByteArray());
        assertTrue(r.hasRedirect());
        assertEquals("discovery.example.net:443", r.getRedirect().getEndpoint());
        assertEquals(1, plain.metrics().helloCount("v1.13-pre"));

        DiscoveryServer trusting = start(settings().trustProxyHeaders(true, true));
        OwnedChannel ch = channel(trusting);
        HelloResponse viaRealIp = blocking(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(spoofed))
                .hello(hello);
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 7}, viaRealIp.getClientIp().toByteArray());
        assertFalse(viaRealIp.hasRedirect());
        Metadata forwarded = new Metadata();
        forwarded.put(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER), "2001:db8::5, 10.0.0.1");
        HelloResponse viaForwarded = blocking(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forwarded))
                .hello(hello);
        assertEquals(16, viaForwarded.getClientIp().size());
        assertEquals(InetAddress.getByName("2001:db8::5"),
                InetAddress.getByAddress(viaForwarded.getClientIp().toByteArray()));
    }

    @Test
    public void metricsEndpointServesParsableText() throws Exception {
        DiscoveryServer server = start(settings());
        OwnedChannel ch = channel(server);
        blocking(ch).hello(HelloRequest.newBuilder().setClusterId(CLUSTER).setClientVersion("v1.12.3").build());
        blocking(ch).affiliateUpdate(update("a", new byte[] {1}, new byte[] {2}));
        String text = scrape(server);
        assertTrue(PrometheusTextCheck.assertParses(text) > 10);
        assertTrue(text, text.contains("discovery_server_hello_requests_total{client_version=\"v1.12\"} 1\n"));
        assertTrue(text, text.contains("discovery_state_affiliates 1\n"));
        assertTrue(text, text.contains("discovery_state_endpoints 1\n"));
        assertTrue(text, text.contains("grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"sidero.discovery.server.Cluster\",grpc_method=\"AffiliateUpdate\",grpc_code=\"OK\"} 1\n"));
        assertTrue(text, text.contains("grpc_server_msg_received_total{grpc_type=\"unary\",grpc_service=\"sidero.discovery.server.Cluster\",grpc_method=\"Hello\"} 1\n"));
        assertTrue(text, text.contains("# TYPE grpc_server_handling_seconds histogram\n"));
    }

    @Test
    public void closeEndsWatchesWithOkAndLeavesNoThreads() throws Exception {
        DiscoveryServer server = start(settings());
        OwnedChannel ch = channel(server);
        WatchRecorder w = new WatchRecorder();
        ClusterGrpc.newStub(ch.channel()).watch(WatchRequest.newBuilder().setClusterId(CLUSTER).build(), w);
        w.awaitView(v -> w.messages > 0); // the snapshot arrived: the watch is registered
        assertTrue(threads("discovery-").size() > 0);
        server.close();
        assertEquals(Status.Code.OK, w.awaitClose().getCode());
        assertEquals(List.of(), threads("discovery-"));
    }

    private static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
    }

    static String scrape(DiscoveryServer server) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + server.metricsPort() + "/metrics")
                .openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        assertEquals(200, c.getResponseCode());
        assertTrue(c.getContentType().startsWith("text/plain"));
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
