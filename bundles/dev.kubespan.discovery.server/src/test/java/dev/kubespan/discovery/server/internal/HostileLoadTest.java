package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.test.ProcessSample;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.StreamObserver;

/**
 * The proof that the standalone server's default limits protect a well-behaved client: the
 * server runs in its own JVM (as {@code bin/kubespan-discovery}, same heap options) so its RSS
 * and thread count are its own; against it, on loopback addresses that Linux treats as distinct
 * clients:
 * <ul>
 * <li>200 half-open connections (HTTP/2 preface and settings, then nothing) from 127.0.1.1-4;</li>
 * <li>a flood from 127.0.0.2: 4 connections keeping 400 calls in flight without deadline,
 * re-issued as soon as they end, plus a stream of garbage connections;</li>
 * <li>a well-behaved client at 127.0.0.3: a Hello, an AffiliateUpdate or a List every 100 ms.</li>
 * </ul>
 * It prints the client's latencies, the flood's outcomes, the server's RSS and threads (start,
 * peak, end) and its log size. Latency is printed, not asserted (the 2 cores are shared with the
 * clients and with other builds); answers, threads and RSS are asserted against stated bounds.
 * Long form: {@code -Dhostile.seconds=120}.
 */
public class HostileLoadTest {
    private static final String VICTIM_CLUSTER = "dmljdGltLWNsdXN0ZXItaWQtZm9yLXRoZS1ob3N0aWxlLXRlc3Q=";
    private static final String FLOOD_CLUSTER = "Zmxvb2QtY2x1c3Rlci1pZC1mb3ItdGhlLWhvc3RpbGUtdGVzdA==";
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    /** Stated bounds: the server's threads (JVM's own included) and resident memory under this load. */
    static final int MAX_THREADS = 60;
    static final long MAX_RSS_MIB = 400;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process server;

    @After
    public void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private int startServer(Path log) throws Exception {
        int port = freePort();
        int metricsPort = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms32m", "-Xmx512m"));
        // e.g. -Dhostile.serverOpts=-Xlog:gc:file=/tmp/gc.log to see the server's GC pauses
        String extra = System.getProperty("hostile.serverOpts", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kubespan.discovery.server.Standalone",
                "--addr", "127.0.0.1:" + port, "--metrics-addr", "127.0.0.1:" + metricsPort, "--snapshots-enabled=false"));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("listening on")) {
            assertTrue("server did not start:\n" + Files.readString(log), server.isAlive() && System.nanoTime() < deadline);
            Thread.sleep(50);
        }
        this.metricsPort = metricsPort;
        return port;
    }

    private int metricsPort;

    private String scrape() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + metricsPort + "/metrics").openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    private static double metric(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /**
     * A grpc channel whose connections leave from {@code from}, so the server sees that client
     * address, on its own event loop and executor, so that one client's callbacks do not queue
     * behind another's in this JVM.
     */
    private ManagedChannel channelFrom(String from, int port) {
        InetSocketAddress local = new InetSocketAddress(from, 0);
        MultiThreadIoEventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        toClose.add(() -> {
            executor.shutdownNow();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5000);
        });
        ManagedChannel ch = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .eventLoopGroup(loop).channelType(NioSocketChannel.class).executor(executor)
                .usePlaintext().localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public InetSocketAddress createSocketAddress(java.net.SocketAddress remote, io.grpc.Attributes attrs) {
                        return local;
                    }
                }).build();
        toClose.add(() -> {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ch;
    }

    @Test
    public void aWellBehavedClientIsAnsweredUnderHalfOpenConnectionsAndAFlood() throws Exception {
        int seconds = Integer.getInteger("hostile.seconds", 10);
        String loadBefore = ProcessSample.loadAverage();
        Path log = Files.createTempFile("hostile-server", ".log");
        toClose.add(() -> Files.deleteIfExists(log));
        int port = startServer(log);
        long pid = server.pid();
        Thread.sleep(500);
        ProcessSample idle = ProcessSample.of(pid);

        // 200 half-open connections, 50 from each of 4 addresses (the per-IP cap is 100).
        List<Socket> halfOpen = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket s = new Socket();
            toClose.add(s);
            s.bind(new InetSocketAddress("127.0.1." + (1 + i % 4), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            OutputStream out = s.getOutputStream();
            out.write(PREFACE);
            out.write(EMPTY_SETTINGS);
            out.flush();
            halfOpen.add(s);
        }
        // The server accepts them on its own time (a loaded machine lags by seconds); wait until it
        // counts all 200, well inside the 10 s handshake timeout that would close them.
        double openConnections = metric(scrape(), "discovery_server_connections");
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); openConnections < 200
                && System.nanoTime() < until; openConnections = metric(scrape(), "discovery_server_connections")) {
            Thread.sleep(100);
        }

        Path floodOut = Files.createTempFile("hostile-flood", ".out");
        toClose.add(() -> Files.deleteIfExists(floodOut));
        // The attacker's CPU is not the server's: the flood runs in its own JVM at a lower priority.
        Process flooder = new ProcessBuilder("nice", "-n", "10", ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Flood.class.getName(), String.valueOf(port),
                String.valueOf(seconds + 2)).redirectErrorStream(true).redirectOutput(floodOut.toFile()).start();
        toClose.add(() -> {
            flooder.destroy();
            flooder.waitFor(10, TimeUnit.SECONDS);
        });
        Thread.sleep(2000); // the flood is under way
        double cpuBefore = ProcessSample.cpuNanos(pid) / 1e9;

        // The well-behaved client: one call every 100 ms, each with a 10 s deadline (the goal, 100 ms, is printed:
        // the cores are shared with the clients and, on a developer machine, with whatever else runs).
        ManagedChannel good = channelFrom("127.0.0.3", port);
        List<Long> latencies = new ArrayList<>();
        Map<Status.Code, Integer> goodCodes = new ConcurrentHashMap<>();
        ProcessSample peak = idle;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int n = 0;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            Status.Code code = wellBehavedCall(ClusterGrpc.newBlockingStub(good).withDeadlineAfter(10, TimeUnit.SECONDS), n++);
            long micros = (System.nanoTime() - start) / 1000;
            goodCodes.merge(code, 1, Integer::sum);
            if (n > 5) { // the first calls open the connection and warm up the JIT on both sides
                latencies.add(micros);
            }
            ProcessSample u = ProcessSample.of(pid);
            peak = new ProcessSample(Math.max(peak.rssKib(), u.rssKib()), Math.max(peak.threads(), u.threads()),
                    Math.max(peak.fds(), u.fds()));
            Thread.sleep(Math.max(0, 100 - (System.nanoTime() - start) / 1_000_000));
        }
        String metricsUnderLoad = scrape();
        double serverCpu = ProcessSample.cpuNanos(pid) / 1e9 - cpuBefore;
        ProcessSample loaded = ProcessSample.of(pid);
        assertTrue(flooder.waitFor(30, TimeUnit.SECONDS));
        String flood = Files.readString(floodOut).trim();
        for (Socket s : halfOpen) {
            s.close();
        }
        Thread.sleep(1000);
        ProcessSample after = ProcessSample.of(pid);

        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long over100 = Arrays.stream(sorted).filter(us -> us > 100_000).count();
        System.out.printf("hostile load for %d s against the standalone server (defaults, -Xmx512m), %d cores shared"
                + " with the clients; load average before/after: %s / %s%n", seconds,
                Runtime.getRuntime().availableProcessors(), loadBefore, ProcessSample.loadAverage());
        System.out.printf("  half-open connections held: %.0f (of 200)%n", openConnections);
        System.out.printf("  flood from 127.0.0.2 (own JVM, nice 10): %s%n", flood);
        System.out.printf("  server counters: calls rejected ip_limit %.0f, rate_limit %.0f, queue_full %.0f;"
                + " delayed %.0f; transport errors http2 %.0f, io %.0f, other %.0f; connections now %.0f%n",
                metric(metricsUnderLoad, "discovery_server_calls_rejected_total{reason=\"ip_limit\"}"),
                metric(metricsUnderLoad, "discovery_server_calls_rejected_total{reason=\"rate_limit\"}"),
                metric(metricsUnderLoad, "discovery_server_calls_rejected_total{reason=\"rate_limit_queue_full\"}"),
                metric(metricsUnderLoad, "discovery_server_rate_limit_delayed_total"),
                metric(metricsUnderLoad, "discovery_server_transport_errors_total{kind=\"http2\"}"),
                metric(metricsUnderLoad, "discovery_server_transport_errors_total{kind=\"io\"}"),
                metric(metricsUnderLoad, "discovery_server_transport_errors_total{kind=\"other\"}"),
                metric(metricsUnderLoad, "discovery_server_connections"));
        System.out.printf("  well-behaved client at 127.0.0.3: %d calls %s, latency p50 %.1f ms, p90 %.1f ms,"
                + " p99 %.1f ms, max %.1f ms; %d over 100 ms%n", n, goodCodes, pct(sorted, 50), pct(sorted, 90),
                pct(sorted, 99), sorted[sorted.length - 1] / 1000.0, over100);
        System.out.printf("  server: idle %s; peak %s; under load %s; after %s (bounds: %d threads, %d MiB)%n", idle,
                peak, loaded, after, MAX_THREADS, MAX_RSS_MIB);
        System.out.printf("  server CPU during the flood: %.1f s in %d s (%.0f%% of one core)%n", serverCpu, seconds,
                100 * serverCpu / seconds);
        System.out.printf("  server log: %d bytes, %d lines%n", Files.size(log), Files.readAllLines(log).size());

        assertEquals("every call of the well-behaved client answered: " + goodCodes, Integer.valueOf(n),
                goodCodes.get(Status.Code.OK));
        assertEquals(200, openConnections, 0);
        assertTrue("threads " + peak.threads(), peak.threads() <= MAX_THREADS);
        assertTrue("RSS " + peak.rssKib() / 1024 + " MiB", peak.rssKib() / 1024 <= MAX_RSS_MIB);
        assertTrue("server log lines: " + Files.readAllLines(log).size(), Files.readAllLines(log).size() < 20);
    }

    private static double pct(long[] sortedMicros, int p) {
        int i = (int) Math.min(sortedMicros.length - 1, Math.ceil(p / 100.0 * sortedMicros.length) - 1);
        return sortedMicros[Math.max(0, i)] / 1000.0;
    }

    private static Status.Code wellBehavedCall(ClusterGrpc.ClusterBlockingStub stub, int n) {
        try {
            switch (n % 3) {
                case 0 -> stub.hello(HelloRequest.newBuilder().setClusterId(VICTIM_CLUSTER).setClientVersion("v1.12.3")
                        .build());
                case 1 -> stub.affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId(VICTIM_CLUSTER)
                        .setAffiliateId("good-node").setAffiliateData(ByteString.copyFrom(new byte[300]))
                        .addAffiliateEndpoints(ByteString.copyFrom(new byte[18]))
                        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(300)).build());
                default -> stub.list(ListRequest.newBuilder().setClusterId(VICTIM_CLUSTER).build());
            }
            return Status.Code.OK;
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    /** The flood from 127.0.0.2, in its own JVM: {@code port seconds}; prints its outcomes at the end. */
    public static final class Flood {
        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            long seconds = Long.parseLong(args[1]);
            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            List<ManagedChannel> channels = new ArrayList<>();
            HostileLoadTest owner = new HostileLoadTest();
            for (int i = 0; i < 4; i++) {
                channels.add(owner.channelFrom("127.0.0.2", port));
            }
            for (ManagedChannel ch : channels) {
                for (int i = 0; i < 100; i++) {
                    floodCall(ClusterGrpc.newStub(ch), running, outcomes, i);
                }
            }
            Thread garbage = new Thread(() -> garbageConnections(port, running, outcomes), "garbage-flood");
            garbage.start();
            Thread.sleep(seconds * 1000);
            running.set(false);
            garbage.join(5000);
            System.out.println(new java.util.TreeMap<>(outcomes) + " in " + seconds + " s");
            System.out.flush();
            owner.stop();
            System.exit(0);
        }
    }

    /** One call without deadline; when it ends, the next one starts, until the flood stops. */
    private static void floodCall(ClusterGrpc.ClusterStub stub, AtomicBoolean running, Map<String, AtomicLong> outcomes,
            int i) {
        if (!running.get()) {
            return;
        }
        if (i % 2 == 0) {
            stub.hello(HelloRequest.newBuilder().setClusterId(FLOOD_CLUSTER).build(), next(stub, running, outcomes, i));
        } else {
            stub.affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId(FLOOD_CLUSTER)
                    .setAffiliateId("flood-" + (i % 500)).setAffiliateData(ByteString.copyFrom(new byte[2048]))
                    .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(1800)).build(),
                    next(stub, running, outcomes, i));
        }
    }

    /** Counts how the call ended and starts the next one. */
    private static <T> StreamObserver<T> next(ClusterGrpc.ClusterStub stub, AtomicBoolean running,
            Map<String, AtomicLong> outcomes, int i) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable t) {
                outcomes.computeIfAbsent(Status.fromThrowable(t).getCode().name(), k -> new AtomicLong()).incrementAndGet();
                floodCall(stub, running, outcomes, i + 1);
            }

            @Override
            public void onCompleted() {
                outcomes.computeIfAbsent("OK", k -> new AtomicLong()).incrementAndGet();
                floodCall(stub, running, outcomes, i + 1);
            }
        };
    }

    /** Connections from 127.0.0.2 that send random bytes and leave, back to back. */
    private static void garbageConnections(int port, AtomicBoolean running, Map<String, AtomicLong> outcomes) {
        Random random = new Random(16);
        while (running.get()) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                byte[] junk = new byte[64 + random.nextInt(1024)];
                random.nextBytes(junk);
                s.getOutputStream().write(junk);
                s.setSoTimeout(2000);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1))) {
                    while (r.read() >= 0) {
                        // until the server closes it
                    }
                }
                outcomes.computeIfAbsent("garbage connections", k -> new AtomicLong()).incrementAndGet();
            } catch (IOException e) {
                outcomes.computeIfAbsent("garbage connections reset", k -> new AtomicLong()).incrementAndGet();
            }
        }
    }
}
