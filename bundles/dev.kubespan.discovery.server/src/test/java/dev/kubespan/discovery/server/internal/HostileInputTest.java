package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * Hostile and broken clients against the whole server over real TCP, with its default settings
 * where a test does not say otherwise: out-of-range TTLs, calls parked on the rate limit,
 * cancelled waiting calls, spoofed forwarding headers, garbage and silent connections.
 */
public class HostileInputTest {
    private static final String CLUSTER = "Y2x1c3Rlci1pZC1mb3ItdGVzdHMtMzItYnl0ZXMtbG9uZw==";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** The standalone server's defaults (no flag given), on a free loopback port, without snapshots or metrics port. */
    private static ServerSettings defaults() {
        return CommandLine.parse(new String[0]).toSettings(null)
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .metrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .snapshot(null, Duration.ofHours(1));
    }

    private DiscoveryServer start(ServerSettings s, ServerLog log) throws IOException {
        DiscoveryServer server = DiscoveryServer.start(s, log);
        toClose.add(server);
        return server;
    }

    private DiscoveryServer start(ServerSettings s) throws IOException {
        return start(s, ServerLog.stderr(false));
    }

    private OwnedChannel channel(DiscoveryServer server) throws IOException {
        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext()
                .threadNamePrefix("test-client").build();
        toClose.add(ch);
        return ch;
    }

    private Status.Code helloCode(DiscoveryServer server) throws IOException {
        var stub = ClusterGrpc.newBlockingStub(channel(server).channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
        return code(() -> stub.hello(hello()));
    }

    private static HelloRequest hello() {
        return HelloRequest.newBuilder().setClusterId(CLUSTER).setClientVersion("v1.12.3").build();
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    // --- TTLs -------------------------------------------------------------------------------

    @Test
    public void everyOutOfRangeTtlIsInvalidArgument() throws Exception {
        DiscoveryServer server = start(defaults());
        var stub = ClusterGrpc.newBlockingStub(channel(server).channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        long[][] bad = {
            {Long.MIN_VALUE, 0}, {Long.MAX_VALUE, 2_000_000_000}, {Long.MAX_VALUE, 999_999_999}, {Long.MAX_VALUE, 0},
            {-1, 0}, {0, -1}, {-1, -999_999_999}, {0, 1_000_000_000}, {10, Integer.MIN_VALUE},
            {1800, 1}, {315_576_000_001L, 0},
        };
        for (long[] ttl : bad) {
            AffiliateUpdateRequest r = update("a", ttl[0], (int) ttl[1]);
            assertEquals("TTL " + ttl[0] + " s " + ttl[1] + " ns", Status.Code.INVALID_ARGUMENT,
                    code(() -> stub.affiliateUpdate(r)));
        }
        assertEquals(Status.Code.OK, code(() -> stub.affiliateUpdate(update("a", 1800, 0))));
        assertEquals(Status.Code.OK, code(() -> stub.affiliateUpdate(update("b", 0, 999_999_999))));
        assertEquals(Status.Code.OK, code(() -> stub.affiliateUpdate(update("c", 0, 0))));
        assertFalse(DiscoveryServerTest.scrape(server).contains("grpc_code=\"Internal\""));
    }

    private static AffiliateUpdateRequest update(String id, long seconds, int nanos) {
        return AffiliateUpdateRequest.newBuilder().setClusterId(CLUSTER).setAffiliateId(id)
                .setAffiliateData(com.google.protobuf.ByteString.copyFromUtf8("x"))
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos)).build();
    }

    // --- rate limit ---------------------------------------------------------------------------

    /** Async Hello calls, recording how each ended. */
    private static final class Calls {
        final ConcurrentHashMap<Status.Code, Integer> codes = new ConcurrentHashMap<>();
        final List<Context.CancellableContext> contexts = new CopyOnWriteArrayList<>();

        void start(ClusterGrpc.ClusterStub stub, int n) {
            for (int i = 0; i < n; i++) {
                Context.CancellableContext ctx = Context.current().withCancellation();
                contexts.add(ctx);
                ctx.run(() -> stub.hello(hello(), new StreamObserver<>() {
                    @Override
                    public void onNext(HelloResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        codes.merge(Status.fromThrowable(t).getCode(), 1, Integer::sum);
                    }

                    @Override
                    public void onCompleted() {
                        codes.merge(Status.Code.OK, 1, Integer::sum);
                    }
                }));
            }
        }

        int ended() {
            return codes.values().stream().mapToInt(Integer::intValue).sum();
        }

        void cancelAll() {
            contexts.forEach(c -> c.cancel(null));
        }
    }

    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("discovery-")).count();
    }

    @Test
    public void callsWaitingForTheRateLimitHoldNoThreadAndTheQueueIsBounded() throws Exception {
        DiscoveryServer server = start(defaults().rateLimit(1, 1));
        OwnedChannel ch = channel(server);
        long before = serverThreads();
        Calls calls = new Calls();
        calls.start(ClusterGrpc.newStub(ch.channel()), 300); // no deadline
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // bounds a failing test only (a loaded machine)
        while (calls.ended() < 280 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long during = serverThreads();
        System.out.printf("300 calls without deadline from one address, rate 1/s: server threads %d before, %d with"
                + " the calls waiting; ended at once: %s%n", before, during, calls.codes);
        assertTrue("server threads with 300 calls parked: " + during, during <= before + 12);
        // The queue of one address is bounded by the longest wait: ~10 calls at 1/s; the rest are refused at once.
        assertTrue(calls.codes.toString(), calls.codes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0) >= 280);
        calls.cancelAll();
    }

    @Test
    public void aCancelledWaitingCallGivesItsTokenBack() throws Exception {
        DiscoveryServer server = start(defaults().rateLimit(1, 2));
        OwnedChannel ch = channel(server);
        var blocking = ClusterGrpc.newBlockingStub(ch.channel());
        blocking.withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello());
        blocking.withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello());
        Calls waiting = new Calls();
        waiting.start(ClusterGrpc.newStub(ch.channel()), 8); // they wait up to 8 s for their tokens
        Thread.sleep(300);
        waiting.cancelAll();
        Thread.sleep(300);
        // Had the cancelled calls kept their tokens, this one would have to wait ~8 s.
        long start = System.nanoTime();
        HelloResponse r = blocking.withDeadlineAfter(1500, TimeUnit.MILLISECONDS).hello(hello());
        System.out.printf("after 8 waiting calls were cancelled, a call with a 1.5 s deadline was answered in %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        assertArrayEquals(new byte[] {127, 0, 0, 1}, r.getClientIp().toByteArray());
        assertEquals(Integer.valueOf(8), waiting.codes.get(Status.Code.CANCELLED));
        assertTrue(DiscoveryServerTest.scrape(server).contains("discovery_server_rate_limit_cancelled_total 8\n"));
    }

    // --- forwarding headers -------------------------------------------------------------------

    @Test
    public void theStandaloneServerIgnoresForwardingHeadersByDefault() throws Exception {
        DiscoveryServer server = start(defaults());
        Metadata spoofed = new Metadata();
        spoofed.put(Metadata.Key.of("x-real-ip", Metadata.ASCII_STRING_MARSHALLER), "203.0.113.7");
        spoofed.put(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER), "198.51.100.1");
        HelloResponse r = ClusterGrpc.newBlockingStub(channel(server).channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(spoofed))
                .withDeadlineAfter(5, TimeUnit.SECONDS).hello(hello());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, r.getClientIp().toByteArray());
    }

    // --- garbage and silent connections ---------------------------------------------------------

    /** Log lines of the server and everything grpc/netty log at INFO or above. */
    private static final class Lines extends Handler implements ServerLog, AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Lines() {
            setLevel(Level.INFO);
            Logger.getLogger("").addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue() && r.getLoggerName() != null
                    && r.getLoggerName().startsWith("io.grpc")) {
                lines.add("JUL " + r.getLoggerName() + ": " + r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }

        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message, Throwable cause) {
            lines.add("WARN " + message + (cause == null ? "" : ": " + cause));
        }

        @Override
        public void debug(String message) {
        }
    }

    private static void closedWithin(Socket s, long ms) throws IOException {
        s.setSoTimeout((int) ms);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever the server says before it closes
            }
        } catch (SocketTimeoutException e) {
            fail("connection still open after " + ms + " ms");
        } catch (IOException reset) {
            // closed with RST
        }
    }

    @Test
    public void garbageConnectionsAreCountedNotLoggedEach() throws Exception {
        try (Lines log = new Lines()) {
            DiscoveryServer server = start(defaults(), log);
            Random random = new Random(16);
            int connections = 50;
            for (int i = 0; i < connections; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    byte[] junk = new byte[100 + random.nextInt(400)];
                    random.nextBytes(junk);
                    s.getOutputStream().write(junk);
                    closedWithin(s, 5000);
                }
            }
            Thread.sleep(200);
            String metrics = DiscoveryServerTest.scrape(server);
            System.out.println(connections + " garbage connections: " + log.lines.size() + " log line(s)"
                    + (log.lines.isEmpty() ? "" : ", the first: " + log.lines.get(0)));
            assertTrue(log.lines.size() + " lines, the first: " + log.lines.get(0), log.lines.size() <= 2);
            assertTrue(metrics, metrics.contains("discovery_server_transport_errors_total{kind=\"http2\"} " + connections + "\n"));
            assertEquals(Status.Code.OK, helloCode(server));
        }
    }

    @Test
    public void connectionsOverTheCapOfOneAddressAreResetAndOthersStillServed() throws Exception {
        DiscoveryServer server = start(defaults());
        List<Socket> held = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 150; i++) {
            Socket s = new Socket();
            toClose.add(s);
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
                held.add(s);
            } catch (IOException resetAlready) {
                refused++;
            }
        }
        for (Socket s : held) {
            s.setSoTimeout(200);
            try {
                if (s.getInputStream().read() < 0) {
                    refused++;
                }
            } catch (SocketTimeoutException stillOpen) {
                // admitted: waits for the client's preface
            } catch (IOException reset) {
                refused++;
            }
        }
        assertEquals("connections of 127.0.0.2 beyond the default cap of 100 reset", 50, refused);
        assertEquals(Status.Code.OK, helloCode(server));
    }
}
