package dev.kubespan.discovery.grpc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.After;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.grpc.transport.OwnedServer;
import dev.kubespan.discovery.grpc.transport.TransportEvents;
import dev.kubespan.test.SelfSignedCertificate;
import io.grpc.stub.StreamObserver;

/**
 * The connection limits of {@link OwnedServer} against raw TCP clients on distinct loopback
 * addresses (127.0.0.x are distinct client addresses on Linux): handshake and idle timeouts, caps
 * per address and in total, and failed connections reported to a listener instead of the log.
 */
public class OwnedServerLimitsTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Recorder events = new Recorder();

    @After
    public void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    static final class Recorder implements TransportEvents {
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final List<String> rejections = new CopyOnWriteArrayList<>();

        @Override
        public void connectionRejected(InetAddress peer, Rejection why) {
            rejections.add(peer.getHostAddress() + " " + why);
        }

        @Override
        public void transportFailed(Throwable cause) {
            failures.add(cause);
        }
    }

    static final class Hello extends ClusterGrpc.ClusterImplBase {
        @Override
        public void hello(HelloRequest request, StreamObserver<HelloResponse> out) {
            out.onNext(HelloResponse.newBuilder().setClientIp(ByteString.copyFromUtf8("ok")).build());
            out.onCompleted();
        }
    }

    private OwnedServer.Builder server() {
        return OwnedServer.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new Hello()).threadNamePrefix("t-limits");
    }

    private OwnedServer start(OwnedServer.Builder b) throws IOException {
        OwnedServer s = b.start();
        toClose.add(s);
        return s;
    }

    private Socket connect(String from, OwnedServer server) throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
        return s;
    }

    /** Milliseconds until the server closes (FIN or RST) the connection; fails after {@code maxMs}. */
    private static long millisUntilClosed(Socket s, long maxMs) throws IOException {
        long start = System.nanoTime();
        s.setSoTimeout((int) maxMs);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // the server's SETTINGS and GOAWAY frames
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + maxMs + " ms");
        } catch (IOException reset) {
            // closed with RST
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String hello(OwnedServer server) throws IOException {
        try (OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext()
                .threadNamePrefix("t-limits-client").build()) {
            return ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .hello(HelloRequest.newBuilder().setClusterId("c").build()).getClientIp().toStringUtf8();
        }
    }

    @Test
    public void aConnectionThatSendsNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        OwnedServer server = start(server().handshakeTimeout(Duration.ofMillis(300)));
        Socket silent = connect("127.0.0.2", server);
        long ms = millisUntilClosed(silent, 5000);
        assertTrue("closed after " + ms + " ms", ms >= 250);
        assertEquals("ok", hello(server));
    }

    @Test
    public void aConnectionThatSendsOnlyThePrefaceIsClosedWhenIdle() throws Exception {
        OwnedServer server = start(server().handshakeTimeout(Duration.ofMillis(300))
                .maxConnectionIdle(Duration.ofMillis(300)));
        Socket halfOpen = connect("127.0.0.2", server);
        OutputStream out = halfOpen.getOutputStream();
        out.write(PREFACE);
        out.write(EMPTY_SETTINGS);
        out.flush();
        // GOAWAY after the idle time, then grpc waits up to 10 s for the ping that ends a graceful close.
        long ms = millisUntilClosed(halfOpen, 15_000);
        assertTrue("closed after " + ms + " ms", ms >= 300);
        awaitConnections(server, 0);
    }

    @Test
    public void connectionsOverTheCapOfAnAddressAreResetWhileOtherAddressesAreServed() throws Exception {
        OwnedServer server = start(server().maxConnections(0, 3).transportEvents(events));
        for (int i = 0; i < 3; i++) {
            connect("127.0.0.2", server);
        }
        long ms = millisUntilClosed(connect("127.0.0.2", server), 2000);
        assertTrue("the 4th connection of 127.0.0.2 was reset at once, not after " + ms + " ms", ms < 1000);
        awaitRejections(1);
        assertEquals(List.of("127.0.0.2 ADDRESS_LIMIT"), events.rejections);
        assertEquals(3, server.connectionCount());
        assertEquals("ok", hello(server)); // from 127.0.0.1
    }

    @Test
    public void connectionsOverTheTotalCapAreReset() throws Exception {
        OwnedServer server = start(server().maxConnections(4, 0).transportEvents(events));
        for (int i = 2; i < 6; i++) {
            connect("127.0.0." + i, server);
        }
        millisUntilClosed(connect("127.0.0.9", server), 2000);
        awaitRejections(1);
        assertEquals(List.of("127.0.0.9 TOTAL_LIMIT"), events.rejections);
        for (AutoCloseable c : toClose) {
            if (c instanceof Socket s) {
                s.close();
            }
        }
        awaitConnections(server, 0);
        assertEquals("ok", hello(server));
    }

    /** The reset reaches the client just before the listener hears of it. */
    private void awaitRejections(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.rejections.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void awaitConnections(OwnedServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.connectionCount() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, server.connectionCount());
    }

    /** Records what grpc and netty log at INFO or above, on any logger. */
    static final class LogCapture extends Handler implements AutoCloseable {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        LogCapture() {
            setLevel(Level.INFO);
            Logger.getLogger("").addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue() && r.getLoggerName() != null
                    && r.getLoggerName().startsWith("io.grpc")) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }

    private static void sendGarbage(OwnedServer server, int connections) throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < connections; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
                byte[] junk = new byte[64 + random.nextInt(512)];
                random.nextBytes(junk);
                if (i % 3 == 1) {
                    junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                } else if (i % 3 == 2) {
                    // a valid preface, then a frame of an unknown stream state
                    byte[] frame = {0, 0, 4, 3, 0, 0, 0, 0, 7, 0, 0, 0, 1};
                    byte[] all = new byte[PREFACE.length + EMPTY_SETTINGS.length + frame.length];
                    System.arraycopy(PREFACE, 0, all, 0, PREFACE.length);
                    System.arraycopy(EMPTY_SETTINGS, 0, all, PREFACE.length, EMPTY_SETTINGS.length);
                    System.arraycopy(frame, 0, all, PREFACE.length + EMPTY_SETTINGS.length, frame.length);
                    junk = all;
                }
                s.getOutputStream().write(junk);
                s.getOutputStream().flush();
                millisUntilClosed(s, 5000);
            }
        }
    }

    @Test
    public void failedConnectionsGoToTheListenerInsteadOfTheLog() throws Exception {
        try (LogCapture log = new LogCapture()) {
            OwnedServer server = start(server().transportEvents(events));
            sendGarbage(server, 12);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.failures.size() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue("failures reported: " + events.failures.size(), events.failures.size() >= 8);
            assertEquals("nothing logged: " + log.records.stream().map(LogRecord::getMessage).toList(), 0,
                    log.records.size());
            assertEquals("ok", hello(server));
        }
    }

    @Test
    public void failedTlsHandshakesGoToTheListenerToo() throws Exception {
        Path dir = Files.createTempDirectory("limits-tls");
        try (LogCapture log = new LogCapture()) {
            SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
            OwnedServer server = start(server().tls(cert.certificate(), cert.privateKey()).transportEvents(events));
            sendGarbage(server, 6);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.failures.size() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(6, events.failures.size());
            assertTrue(events.failures.get(0).toString(), events.failures.stream()
                    .allMatch(t -> t instanceof javax.net.ssl.SSLException));
            assertEquals("nothing logged: " + log.records.stream().map(LogRecord::getMessage).toList(), 0,
                    log.records.size());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void withoutAListenerGrpcStillLogsAndTheFilterIsRemovedOnClose() throws Exception {
        Logger transportLog = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections");
        try (LogCapture log = new LogCapture()) {
            OwnedServer withListener = start(server().transportEvents(events));
            OwnedServer plain = start(server());
            sendGarbage(plain, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (log.records.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, log.records.size());
            assertEquals(0, events.failures.size());
            withListener.close();
            plain.close();
        }
        assertNull(transportLog.getFilter());
        assertNull("the TLS logger's level is given back",
                Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators").getLevel());
    }

    @Test
    public void callThreadsAreBounded() throws Exception {
        OwnedServer server = start(server().callThreads(2).threadNamePrefix("t-bounded"));
        try (OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext()
                .threadNamePrefix("t-bounded-client").build()) {
            int calls = 200;
            CountDownLatch done = new CountDownLatch(calls);
            for (int i = 0; i < calls; i++) {
                ClusterGrpc.newStub(ch.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .hello(HelloRequest.newBuilder().setClusterId("c").build(), new StreamObserver<>() {
                            @Override
                            public void onNext(HelloResponse value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.countDown();
                            }

                            @Override
                            public void onCompleted() {
                                done.countDown();
                            }
                        });
            }
            assertTrue(done.await(20, TimeUnit.SECONDS));
            long callThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("t-bounded-call")).count();
            assertTrue("call threads: " + callThreads, callThreads <= 2);
        }
    }

}
