package dev.kubespan.discovery.server.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.test.ProcessSample;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Benchmark over real TCP on 127.0.0.1 (not a test: prints figures). The server runs in its own
 * JVM ({@link BenchServer}, pinned to CPU 0 with {@code taskset} when there are two CPUs or
 * more); this JVM is the client ({@link BenchClient}: requests encoded before the clock starts,
 * one event loop thread): pipelined AffiliateUpdate calls (a window of calls in flight on each
 * connection), watchers, and the fan-out timing. Run with {@code scripts/bench-discovery}
 * (in-memory and etcd backends; etcd in network namespaces) or directly:
 * {@code java -cp <test classpath> ...DiscoveryServerBenchmark [--state etcd --etcd-endpoints URLS]}.
 */
public final class DiscoveryServerBenchmark {
    private static final String CLUSTER = "benchmark-cluster";
    private static final int AFFILIATES = 1024;
    /** An existing affiliate: the cluster is full, so the measured update changes its data. */
    private static final String MARKER_ID = "node-0";
    private static final int DATA_BYTES = 300; // a typical Talos affiliate blob
    private static final int WINDOW = 32; // calls in flight per connection
    private static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(1800)
            .build();

    /** Per-IP limits of the benchmark's server: on, and out of the way of one IP standing for many nodes. */
    private static final List<String> SERVER_LIMITS = List.of("--rate-limit", "10000000", "--rate-burst", "10000000",
            "--max-calls-per-ip", "100000");

    private final boolean etcd;
    private final String[] backendFlags;
    private final PrintStream out = System.out;
    private Process server;
    private BenchClient client;
    private BufferedReader serverOut;
    private int port;

    private DiscoveryServerBenchmark(String[] backendFlags) {
        this.backendFlags = backendFlags;
        this.etcd = String.join(" ", backendFlags).contains("etcd");
    }

    public static void main(String[] args) throws Exception {
        new DiscoveryServerBenchmark(args).run();
    }

    private void run() throws Exception {
        String backend = etcd ? "etcd" : "memory";
        startServer();
        BenchClient bench = new BenchClient(port);
        client = bench;
        try (bench) {
            ManagedChannel writer = client.connect();
            out.printf("server limits: %s%n", String.join(" ", SERVER_LIMITS));
            out.printf("machine: %d cores, Java %s; server JVM %s; backend %s%n", CPUS,
                    System.getProperty("java.version"), pinned() ? "pinned to CPU 0, client on the others" : "unpinned",
                    backend);
            long t0 = System.nanoTime();
            List<byte[]> fill = new ArrayList<>();
            for (int i = 0; i < AFFILIATES; i++) {
                fill.add(update(CLUSTER, "node-" + i, i));
            }
            client.pipelined(List.of(writer), fill, etcd ? 1 : WINDOW, 0);
            out.printf("cluster filled: %d affiliates, %d-byte data, 2 endpoints each, in %.1f s%n", AFFILIATES, DATA_BYTES,
                    (System.nanoTime() - t0) / 1e9);
            memory(writer, backend);

            int n1 = etcd ? 4_000 : 60_000;
            int n8 = etcd ? 8_000 : 120_000;
            throughput("warm-up", 1, etcd ? 1_000 : 40_000, null);
            if (phase("throughput")) {
                figure(backend, throughput("AffiliateUpdate, 1 caller (pipelined, " + WINDOW
                        + " in flight), no watchers", 1, n1, null));
                figure(backend, throughput("AffiliateUpdate, 8 callers (8 connections, " + WINDOW
                        + " in flight each), no watchers", 8, n8, null));
            }
            if (phase("watchers")) {
                withWatchers(backend, 100, 2_000, etcd ? 6_000 : 60_000);
            }
            int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_FANOUT_ROUNDS", "20"));
            for (int watchers : phase("fanout") ? new int[] {100, 1000} : new int[0]) {
                fanOut(writer, backend, watchers, rounds);
            }
        } finally {
            stopServer();
        }
    }

    /** CPUs of the machine, read before this JVM moves itself off CPU 0 (after that it sees fewer). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    private static final boolean PINNED = System.getenv("BENCH_NO_PIN") == null && CPUS >= 2
            && Files.isExecutable(Path.of("/usr/bin/taskset"));

    private static boolean pinned() {
        return PINNED;
    }

    private void figure(String backend, String line) {
        out.println("FIGURE [" + backend + "] " + line);
    }

    private void startServer() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        if (pinned()) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getenv("BENCH_SERVER_OPTS"); // e.g. a JFR recording
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-Xmx2g", "-cp",
                System.getProperty("java.class.path"), BenchServer.class.getName(), "--addr", "127.0.0.1:" + port,
                "--metrics-addr=", "--snapshots-enabled=false", "--max-affiliates", "1000000", "--max-clusters", "100000"));
        // This one client IP stands for many nodes: the per-IP limits stay on (their cost is part
        // of every call) but are set far above what it sends.
        cmd.addAll(SERVER_LIMITS);
        cmd.addAll(List.of(backendFlags));
        server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        serverOut = new BufferedReader(new InputStreamReader(server.getInputStream()));
        String first = serverOut.readLine();
        while (first != null && !first.startsWith("PORT ") && first.startsWith("[")) {
            first = serverOut.readLine(); // JVM notices (e.g. a JFR recording started)
        }
        if (first == null || !first.startsWith("PORT ")) {
            throw new IllegalStateException("server did not start: " + first);
        }
        if (pinned()) {
            // -a: every thread of this JVM (its GC and compiler threads already run); without it
            // only the main thread moved and the client took up to 114 % of a core, some of it on
            // the server's CPU.
            new ProcessBuilder("taskset", "-a", "-cp", "1-" + (CPUS - 1),
                    String.valueOf(ProcessHandle.current().pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    private long[] heap() throws IOException {
        server.getOutputStream().write("heap\n".getBytes());
        server.getOutputStream().flush();
        String[] f = serverOut.readLine().split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
    }

    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Phases to run: BENCH_ONLY=throughput,watchers,fanout (default all; the fill and memory always run). */
    private static boolean phase(String name) {
        String only = System.getenv("BENCH_ONLY");
        return only == null || only.isBlank() || List.of(only.split(",")).contains(name);
    }

    /** CPU time the server process, and of it its JIT compiler threads, have used so far, in nanoseconds. */
    private long[] serverCpuNanos() throws IOException {
        server.getOutputStream().write("cpu\n".getBytes());
        server.getOutputStream().flush();
        String[] f = serverOut.readLine().split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
    }

    private void stopServer() throws Exception {
        if (server == null) {
            return;
        }
        try {
            server.getOutputStream().write("quit\n".getBytes());
            server.getOutputStream().flush();
        } catch (IOException gone) {
            // already ended
        }
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }

    /** An AffiliateUpdate, encoded: {@code seq} in the first 4 bytes of the data tells updates apart. */
    private static byte[] update(String cluster, String id, int seq) {
        return updateRequest(cluster, id, seq).toByteArray();
    }

    private static AffiliateUpdateRequest updateRequest(String cluster, String id, int seq) {
        byte[] data = new byte[DATA_BYTES];
        Arrays.fill(data, (byte) seq);
        data[0] = (byte) (seq >>> 24);
        data[1] = (byte) (seq >>> 16);
        data[2] = (byte) (seq >>> 8);
        data[3] = (byte) seq;
        return AffiliateUpdateRequest.newBuilder().setClusterId(cluster).setAffiliateId(id)
                .setAffiliateData(ByteString.copyFrom(data)).addAffiliateEndpoints(ByteString.copyFrom(new byte[16]))
                .addAffiliateEndpoints(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setTtl(TTL).build();
    }

    private String throughput(String what, int callers, int total, String note) throws Exception {
        return throughput(what, callers, total, note, 0);
    }

    private String throughput(String what, int callers, int total, String note, double perSecond) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            channels.add(client.connect());
        }
        List<byte[]> requests = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            requests.add(update(CLUSTER, "node-" + (i % AFFILIATES), 2_000_000 + i));
        }
        try {
            long[] cpu0 = serverCpuNanos();
            long clientCpu0 = clientCpuNanos();
            long start = System.nanoTime();
            int failed = client.pipelined(channels, requests, WINDOW, perSecond);
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] cpu1 = serverCpuNanos();
            double cpuSeconds = (cpu1[0] - cpu0[0]) / 1e9;
            double jitSeconds = (cpu1[1] - cpu0[1]) / 1e9;
            double clientCpuSeconds = (clientCpuNanos() - clientCpu0) / 1e9;
            // Server CPU per update: what one core could take if the server had it to itself (the
            // wall-clock rate depends on what else runs on the machine).
            // The JIT compiler's share is shown apart: it is the price of a fresh JVM, not of the updates.
            String line = String.format("%s: %.0f updates/s (%d in %.2f s%s); server CPU %.1f us/update (JIT "
                    + "compiler %.1f of it), %.0f%% of a core (= %.0f updates per CPU-second); client %.1f us/update, "
                    + "%.0f%% of a core%s", what, total / seconds, total,
                    seconds, failed > 0 ? ", " + failed + " failed" : "", cpuSeconds * 1e6 / total,
                    jitSeconds * 1e6 / total, cpuSeconds * 100 / seconds, total / cpuSeconds,
                    clientCpuSeconds * 1e6 / total, clientCpuSeconds * 100 / seconds, note == null ? "" : "; " + note);
            out.println(line);
            return line;
        } finally {
            client.disconnect(channels);
        }
    }

    /** Heap of the server (after GC) and, for etcd, the members' RSS, before and after 10 clusters x 1000 affiliates. */
    private void memory(ManagedChannel writer, String backend) throws Exception {
        int clusters = etcd ? 2 : 10;
        int per = 1000;
        long[] before = heap();
        long etcdBefore = etcd ? ProcessSample.rssKibOfAll("etcd") : 0;
        List<byte[]> fill = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
            for (int i = 0; i < per; i++) {
                fill.add(update("memory-cluster-" + c, "node-" + i, i));
            }
        }
        long t0 = System.nanoTime();
        int failed = client.pipelined(List.of(writer), fill, etcd ? 1 : WINDOW, 0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] after = heap();
        int n = clusters * per - failed;
        figure(backend, String.format("memory per 1000 affiliates (%d-byte data, 2 endpoints; %d added): server heap "
                + "%.2f MiB%s (server RSS %d -> %d MiB)", DATA_BYTES, n, (after[0] - before[0]) / 1048576.0 * 1000 / n,
                etcd ? String.format(", etcd RSS of 3 members %.2f MiB", (ProcessSample.rssKibOfAll("etcd") - etcdBefore) / 1024.0 * 1000 / n)
                        : "",
                before[1] / 1024, after[1] / 1024));
        figure(backend, String.format("affiliate creations, 1 caller%s: %.0f /s", etcd ? " (one at a time)"
                : " (pipelined)", n / seconds));
    }

    /*
     * Watchers leave the responses as bytes: the benchmark's one client JVM stands for many
     * nodes, each of which parses only its own stream, so it must not spend a core parsing 100
     * streams. A watcher walks the top-level fields and parses only the marker affiliate.
     */
    private static final byte[] MARKER_BYTES = MARKER_ID.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** A watcher that timestamps the arrival of a marked update and notices an abort. */
    private static final class TimedWatcher extends ClientCall.Listener<byte[]> {
        final CountDownLatch snapshot = new CountDownLatch(1);
        volatile CountDownLatch round;
        volatile int marker = -1;
        volatile long arrivedAt;
        final AtomicLong events = new AtomicLong();
        volatile Status end;

        @Override
        public void onMessage(byte[] r) {
            if (snapshot.getCount() > 0) {
                snapshot.countDown();
                return;
            }
            int i = 0;
            while (i < r.length) {
                int tag = r[i++] & 0xff;
                if (tag != 0x0a) { // field 2 (deleted, varint)
                    while ((r[i++] & 0x80) != 0) {
                        // skip the varint
                    }
                    continue;
                }
                int len = 0;
                int shift = 0;
                int b;
                do {
                    b = r[i++] & 0xff;
                    len |= (b & 0x7f) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
                events.incrementAndGet();
                // an Affiliate starting with id "node-0": field 1, length 6
                if (len > 2 + MARKER_BYTES.length && r[i] == 0x0a && r[i + 1] == MARKER_BYTES.length
                        && Arrays.equals(r, i + 2, i + 2 + MARKER_BYTES.length, MARKER_BYTES, 0, MARKER_BYTES.length)) {
                    try {
                        ByteString d = dev.kubespan.discovery.grpc.server.Affiliate
                                .parseFrom(ByteString.copyFrom(r, i, len)).getData();
                        int seq = ((d.byteAt(0) & 0xff) << 24) | ((d.byteAt(1) & 0xff) << 16)
                                | ((d.byteAt(2) & 0xff) << 8) | (d.byteAt(3) & 0xff);
                        if (seq == marker) {
                            arrivedAt = System.nanoTime();
                            round.countDown();
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                    }
                }
                i += len;
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            end = status;
        }
    }

    private List<TimedWatcher> attach(int watchers, List<ManagedChannel> channels, String backend) throws Exception {
        int perChannel = Math.max(10, watchers / 10);
        List<TimedWatcher> ws = new ArrayList<>();
        long setup = System.nanoTime();
        byte[] request = WatchRequest.newBuilder().setClusterId(CLUSTER).build().toByteArray();
        for (int i = 0; i < watchers; i++) {
            if (i % perChannel == 0) {
                channels.add(client.connect());
            }
            TimedWatcher w = new TimedWatcher();
            BenchClient.watch(channels.get(channels.size() - 1), request, w);
            ws.add(w);
        }
        for (TimedWatcher w : ws) {
            if (!w.snapshot.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("snapshot not received");
            }
        }
        out.printf("%d watchers on %d connections received their %d-affiliate snapshot in %.2f s%n", watchers,
                channels.size(), AFFILIATES, (System.nanoTime() - setup) / 1e9);
        return ws;
    }

    /**
     * Updates into the watched cluster: first offered at {@code offered} updates/s (the goal), then
     * as fast as the callers go; after each, how many watchers were aborted ("lost update").
     */
    private void withWatchers(String backend, int watchers, int offered, int total) throws Exception {
        // Warm-up, not a figure: the fan-out's code is not compiled yet (perf of a run without it:
        // two thirds of the server's CPU in the offered-rate phase went to the C2 compiler).
        List<ManagedChannel> warm = new ArrayList<>();
        try {
            List<TimedWatcher> ws = attach(watchers, warm, backend);
            throughput("warm-up with " + watchers + " watchers", 8, etcd ? 1_000 : 20_000, null, etcd ? 0 : offered);
            Thread.sleep(1000);
            out.printf("  (warm-up: %d of %d watchers aborted)%n", ws.stream().filter(w -> w.end != null).count(),
                    watchers);
        } finally {
            client.disconnect(warm);
        }
        for (double rate : new double[] {offered, 0}) {
            List<ManagedChannel> channels = new ArrayList<>();
            try {
                List<TimedWatcher> ws = attach(watchers, channels, backend);
                int n = rate > 0 ? (int) (rate * 5) : total;
                String line = throughput("AffiliateUpdate into a cluster with " + watchers + " watchers, 8 callers, "
                        + (rate > 0 ? "offered " + (int) rate + "/s" : "unthrottled"), 8, n, null, rate);
                Thread.sleep(2000);
                long aborted = ws.stream().filter(w -> w.end != null).count();
                long minEvents = ws.stream().mapToLong(w -> w.events.get()).min().orElse(0);
                figure(backend, line + String.format("; watchers aborted: %d of %d; fewest affiliates delivered to one "
                        + "watcher: %d", aborted, watchers, minEvents));
            } finally {
                client.disconnect(channels);
            }
        }
    }

    private void fanOut(ManagedChannel writer, String backend, int watchers, int rounds) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            List<TimedWatcher> ws = attach(watchers, channels, backend);
            long[] last = new long[rounds];
            long[] median = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                CountDownLatch latch = new CountDownLatch(watchers);
                int marker = 1_000_000 + r;
                for (TimedWatcher w : ws) {
                    w.round = latch;
                    w.marker = marker;
                }
                byte[] request = update(CLUSTER, MARKER_ID, marker);
                long t0 = System.nanoTime();
                BenchClient.update(writer, request, status -> {
                    if (!status.isOk()) {
                        System.out.println("  marker update failed: " + status);
                    }
                });
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
            figure(backend, String.format("one update -> %d watchers (%d connections): all reached in median %.2f ms "
                    + "(min %.2f, max %.2f) over %d rounds; median watcher %.2f ms", watchers, channels.size(),
                    last[rounds / 2] / 1e6, last[0] / 1e6, last[rounds - 1] / 1e6, rounds, median[rounds / 2] / 1e6));
        } finally {
            client.disconnect(channels);
        }
    }
}
