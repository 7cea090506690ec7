package dev.kubespan.discovery.server.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kubespan.discovery.grpc.transport.OwnedServer;
import dev.kubespan.discovery.server.internal.grpc.ClientAddresses;
import dev.kubespan.discovery.server.internal.grpc.ClientAddressInterceptor;
import dev.kubespan.discovery.server.internal.grpc.ConnectionEvents;
import dev.kubespan.discovery.server.internal.grpc.ClusterService;
import dev.kubespan.discovery.server.internal.grpc.MetricsInterceptor;
import dev.kubespan.discovery.server.internal.limit.ActiveCalls;
import dev.kubespan.discovery.server.internal.limit.RateLimiter;
import dev.kubespan.discovery.server.internal.limit.TokenBuckets;
import dev.kubespan.discovery.server.internal.metrics.MetricsHttpServer;
import dev.kubespan.discovery.server.internal.metrics.ServerMetrics;
import dev.kubespan.discovery.server.internal.snapshot.SnapshotFile;
import dev.kubespan.discovery.server.internal.state.State;
import dev.kubespan.discovery.server.internal.state.StateBackend;
import dev.kubespan.discovery.server.internal.state.StateDump;
import dev.kubespan.discovery.server.internal.state.etcd.EtcdState;
import dev.kubespan.api.Log;

/**
 * The discovery service: state backend (in memory with snapshots, or etcd), gRPC server,
 * housekeeping (GC, snapshots, limiter cleanup) and the metrics endpoint. Plain Java, shared by
 * the DS component and the standalone command. {@link #close()} ends watches cleanly, stops
 * every thread it started and writes a last snapshot.
 */
public final class DiscoveryServer implements AutoCloseable {
    private static final State.Stats NO_STATS = new State.Stats(0, 0, 0, 0);

    private final ServerSettings settings;
    private final Log log;
    private volatile StateBackend state;
    private final ServerMetrics metrics;
    private final ScheduledExecutorService fanOut;
    private final SnapshotFile snapshots;
    // Limits against hostile or broken clients.
    private final RateLimiter limiter;
    private final ActiveCalls activeCalls;
    private final ConnectionEvents connectionEvents;
    private final ScheduledThreadPoolExecutor housekeeping;
    /** Cancelled calls per connection and window before the connection is closed (HTTP/2 "rapid reset"). */
    private static final int RST_FRAMES_PER_WINDOW = 200;
    private static final Duration RST_WINDOW = Duration.ofSeconds(10);

    private volatile OwnedServer grpc;
    private MetricsHttpServer metricsHttp;
    private boolean closed;

    private DiscoveryServer(ServerSettings settings, Log log) {
        this.settings = settings;
        this.log = log;
        this.metrics = new ServerMetrics(() -> {
            StateBackend s = state;
            return s == null ? NO_STATS : s.stats();
        });
        // Watch deliveries run here, off the threads of the calls that change the state.
        AtomicInteger fanOutThreads = new AtomicInteger();
        this.fanOut = Executors.newScheduledThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "discovery-fanout-" + fanOutThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.snapshots = settings.snapshotPath == null || settings.etcd != null ? null
                : new SnapshotFile(settings.snapshotPath);
        // Limits against hostile or broken clients.
        this.limiter = settings.rateLimitPerSecond > 0
                ? new RateLimiter(new TokenBuckets(settings.rateLimitPerSecond, settings.rateLimitBurst),
                        settings.rateLimitMaxWait, settings.rateLimitMaxWaiting, "discovery-server-rate-limit")
                : null;
        this.activeCalls = settings.maxCallsPerIp > 0 ? new ActiveCalls(settings.maxCallsPerIp) : null;
        this.connectionEvents = new ConnectionEvents(log, metrics.limits(), settings.transportLogInterval,
                System::nanoTime);
        this.housekeeping = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "discovery-server-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        housekeeping.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Loads the snapshot, runs a first GC, binds the ports. On failure nothing is left running. */
    public static DiscoveryServer start(ServerSettings settings, Log log) throws IOException {
        DiscoveryServer s = new DiscoveryServer(settings, log);
        try {
            s.startAll();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void startAll() throws IOException {
        if (settings.etcd != null) {
            state = EtcdState.start(settings.etcd, settings.limits, log, metrics::backendError);
            metrics.backend("etcd", () -> state.health().available());
            log.info("state in etcd: " + settings.etcd);
        } else {
            state = new State(settings.limits);
            metrics.backend("memory", () -> true);
        }
        if (snapshots != null) {
            loadSnapshot();
        }
        gc();
        // Started only once the server runs: a call that waited for its rate-limit token.
        java.util.concurrent.Executor delayedStarts = task -> grpc.callExecutor().execute(task);
        OwnedServer.Builder b = OwnedServer.forAddress(settings.listen)
                .addService(new ClusterService(state, metrics, settings.redirectEndpoint, fanOut).definition())
                .intercept(new ClientAddressInterceptor(
                        new ClientAddresses(settings.trustXRealIp, settings.trustXForwardedFor, settings.trustedProxies),
                        activeCalls, limiter, metrics.limits(), delayedStarts))
                .intercept(new MetricsInterceptor(metrics))
                .permitKeepAliveTime(settings.permitKeepAliveTime)
                .permitKeepAliveWithoutCalls(false)
                .threadNamePrefix("discovery-grpc");
        limitTransport(b);
        if (settings.tlsCertificate != null) {
            b.tls(settings.tlsCertificate, settings.tlsKey).tlsReloadInterval(settings.tlsReloadInterval);
        }
        grpc = b.start();
        metrics.limits().sources(grpc::connectionCount, limiter == null ? () -> 0 : limiter::waiting,
                activeCalls == null ? () -> 0 : activeCalls::total);
        long logMs = settings.transportLogInterval.toMillis();
        housekeeping.scheduleWithFixedDelay(connectionEvents::flush, logMs, logMs, TimeUnit.MILLISECONDS);
        long gcMs = settings.gcInterval.toMillis();
        housekeeping.scheduleWithFixedDelay(this::gcSafely, gcMs, gcMs, TimeUnit.MILLISECONDS);
        if (snapshots != null) {
            long snapMs = settings.snapshotInterval.toMillis();
            housekeeping.scheduleWithFixedDelay(this::saveSnapshot, snapMs, snapMs, TimeUnit.MILLISECONDS);
        }
        if (limiter != null) {
            long cleanMs = settings.limiterCleanupInterval.toMillis();
            housekeeping.scheduleWithFixedDelay(limiter::dropFull, cleanMs, cleanMs, TimeUnit.MILLISECONDS);
        }
        if (settings.metrics != null) {
            try {
                metricsHttp = new MetricsHttpServer(settings.metrics, metrics::render);
            } catch (NoClassDefFoundError noHttpServer) {
                log.warn("metrics disabled: this runtime does not provide com.sun.net.httpserver", noHttpServer);
            }
        }
        log.info("discovery server listening on " + grpc.address() + (grpc.isTls() ? " (TLS)" : " (h2c)")
                + (metricsHttp != null ? ", metrics on port " + metricsHttp.port() : ""));
        log.info(settings.limitsDescription());
    }

    /** Limits against hostile or broken clients, on the transport. */
    private void limitTransport(OwnedServer.Builder b) {
        b.handshakeTimeout(settings.handshakeTimeout)
                .maxConnectionIdle(settings.idleTimeout)
                .keepAlive(settings.keepAliveTime, settings.keepAliveTimeout)
                .maxConnections(settings.maxConnections, settings.maxConnectionsPerIp)
                .maxConcurrentCallsPerConnection(settings.maxCallsPerConnection)
                .maxRstFramesPerWindow(RST_FRAMES_PER_WINDOW, RST_WINDOW)
                .maxInboundMessageSize(settings.maxMessageSize)
                .transportEvents(connectionEvents);
        if (state.blocksCalls()) {
            b.callThreads(settings.callThreads);
        } else {
            b.directCalls();
        }
    }

    private void loadSnapshot() {
        long start = System.nanoTime();
        try {
            var loaded = snapshots.load();
            if (loaded.isEmpty()) {
                log.info("no snapshot at " + snapshots.path() + ", starting empty");
                return;
            }
            StateDump dump = loaded.get().dump();
            ((State) state).restore(dump);
            metrics.storage("load", true, loaded.get().sizeBytes(), dump.clusters().size(), dump.affiliateCount(),
                    dump.endpointCount(), (System.nanoTime() - start) / 1e9);
            log.info("restored " + dump.clusters().size() + " clusters, " + dump.affiliateCount()
                    + " affiliates from " + snapshots.path());
        } catch (IOException | RuntimeException e) {
            metrics.storage("load", false, 0, 0, 0, 0, 0);
            log.warn("cannot load snapshot " + snapshots.path() + ", starting empty", e);
        }
    }

    /** Writes a snapshot now (also runs periodically and on close). */
    public void saveSnapshot() {
        if (snapshots == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            StateDump dump = ((State) state).dump();
            long size = snapshots.save(dump);
            metrics.storage("save", true, size, dump.clusters().size(), dump.affiliateCount(), dump.endpointCount(),
                    (System.nanoTime() - start) / 1e9);
            log.debug("saved snapshot: " + dump.affiliateCount() + " affiliates, " + size + " bytes");
            if (failedSaves > 0) {
                log.info("saved snapshot " + snapshots.path() + " again after " + failedSaves + " failed attempts");
                failedSaves = 0;
            }
        } catch (IOException e) {
            metrics.storage("save", false, 0, 0, 0, 0, 0);
            // A full or read-only disk fails every interval alike: one line with the reason, not a
            // stack trace each time; the counter discovery_storage_operations_total counts them all.
            if (failedSaves++ == 0) {
                log.warn("cannot save snapshot " + snapshots.path() + ": " + e
                        + "; the last good snapshot is kept, retrying every " + settings.snapshotInterval.toSeconds()
                        + " s");
            }
        } catch (RuntimeException e) {
            metrics.storage("save", false, 0, 0, 0, 0, 0);
            failedSaves++;
            log.warn("cannot save snapshot " + snapshots.path(), e);
        }
    }

    /** Consecutive failed snapshot saves (housekeeping thread and close). */
    private volatile int failedSaves;

    private void gcSafely() {
        try {
            gc();
        } catch (RuntimeException e) {
            log.warn("garbage collection failed", e);
        }
    }

    private void gc() {
        State.GcResult r = state.gc();
        metrics.gc(r.removedClusters(), r.removedAffiliates());
        if (r.removedAffiliates() > 0 || r.removedClusters() > 0) {
            log.debug("gc removed " + r.removedAffiliates() + " affiliates, " + r.removedClusters() + " clusters");
        }
    }

    public int port() {
        return grpc.port();
    }

    public boolean isTls() {
        return grpc.isTls();
    }

    /** The metrics port, or -1 when metrics are off. */
    public int metricsPort() {
        return metricsHttp == null ? -1 : metricsHttp.port();
    }

    public StateBackend state() {
        return state;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (state != null) {
            state.closeAllSubscriptions();
        }
        if (grpc != null) {
            grpc.close();
        }
        if (limiter != null) {
            limiter.close();
        }
        housekeeping.shutdownNow();
        fanOut.shutdownNow();
        try {
            housekeeping.awaitTermination(10, TimeUnit.SECONDS);
            fanOut.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (grpc != null) {
            saveSnapshot();
        }
        if (state != null) {
            state.close();
        }
        if (metricsHttp != null) {
            metricsHttp.close();
        }
        log.info("discovery server stopped");
    }
}
