package dev.kubespan.discovery.server.internal.osgi;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.discovery.server.internal.DiscoveryServer;
import dev.kubespan.api.Log;
import dev.kubespan.discovery.server.internal.ServerSettings;
import dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings;

/**
 * Runs the discovery server inside the framework. Starting (snapshot load, binding) happens on
 * the component's own thread; deactivation (also on every configuration change) waits until the
 * server has stopped every thread and socket and written its last snapshot.
 */
@Component(service = {}, configurationPid = DiscoveryServerConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = DiscoveryServerConfig.class)
public final class DiscoveryServerComponent {
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final Logger log;
    private final ExecutorService lifecycle;
    private final Future<DiscoveryServer> running;

    @Activate
    public DiscoveryServerComponent(@Reference(service = LoggerFactory.class) Logger log, BundleContext context,
            DiscoveryServerConfig config) {
        this.log = log;
        if (!config.enabled()) {
            log.info("discovery server disabled by configuration");
            lifecycle = null;
            running = null;
            return;
        }
        ServerSettings settings;
        try {
            settings = settings(config, context::getProperty);
        } catch (IllegalArgumentException e) {
            log.error("discovery server configuration {} rejected: {}", DiscoveryServerConfig.PID, e.getMessage());
            lifecycle = null;
            running = null;
            return;
        }
        lifecycle = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "discovery-server-lifecycle");
            t.setDaemon(true);
            return t;
        });
        Log serverLog = Log.of(log);
        running = lifecycle.submit(() -> {
            try {
                return DiscoveryServer.start(settings, serverLog);
            } catch (Exception e) {
                log.error("discovery server could not start", e);
                return null;
            }
        });
    }

    /** Translates the configuration; bad values are reported by name. */
    static ServerSettings settings(DiscoveryServerConfig c, UnaryOperator<String> frameworkProperty) {
        InetSocketAddress listen = new InetSocketAddress(address("listen.address", c.listen_address()),
                port("port", c.port()));
        ServerSettings s = new ServerSettings().listen(listen);
        if (c.metrics_port() == 0) {
            s.metrics(null);
        } else {
            String ma = c.metrics_address() == null || c.metrics_address().isBlank() ? c.listen_address()
                    : c.metrics_address();
            s.metrics(new InetSocketAddress(address("metrics.address", ma), port("metrics.port", c.metrics_port())));
        }
        if (c.snapshot_enabled()) {
            s.snapshot(snapshotPath(c.snapshot_path(), frameworkProperty),
                    seconds("snapshot.interval", c.snapshot_interval()));
        } else {
            s.snapshot(null, seconds("snapshot.interval", c.snapshot_interval()));
        }
        s.gcInterval(seconds("gc.interval", c.gc_interval()));
        boolean cert = c.tls_cert() != null && !c.tls_cert().isBlank();
        boolean key = c.tls_key() != null && !c.tls_key().isBlank();
        if (cert != key) {
            throw new IllegalArgumentException("tls.cert and tls.key must be set together");
        }
        if (cert) {
            s.tls(Path.of(c.tls_cert().trim()), Path.of(c.tls_key().trim()))
                    .tlsReloadInterval(seconds("tls.reload.interval", c.tls_reload_interval()));
        }
        s.trustProxyHeaders(c.trust_proxy_headers(), c.trust_proxy_headers());
        s.redirect(c.redirect_endpoint());
        if (c.rate_limit() < 0 || c.rate_burst() < 1) {
            throw new IllegalArgumentException("rate.limit must be >= 0 and rate.burst >= 1");
        }
        s.rateLimit(c.rate_limit(), c.rate_burst());
        limits(c, s);
        stateSettings(c, s);
        return s;
    }

    /** Limits against hostile or broken clients. */
    private static void limits(DiscoveryServerConfig c, ServerSettings s) {
        List<IpPrefix> proxies = new ArrayList<>();
        for (String part : (c.trusted_proxies() == null ? "" : c.trusted_proxies()).split(",")) {
            if (!part.isBlank()) {
                try {
                    proxies.add(IpPrefix.parse(part.trim()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trusted.proxies: '" + part.trim() + "': " + e.getMessage());
                }
            }
        }
        s.trustedProxies(proxies);
        s.handshakeTimeout(seconds("handshake.timeout", c.handshake_timeout()));
        s.idleTimeout(seconds("idle.timeout", c.idle_timeout()));
        s.keepAlive(seconds("keepalive.time", c.keepalive_time()), seconds("keepalive.timeout", c.keepalive_timeout()));
        s.maxConnections(notNegative("max.connections", c.max_connections()),
                notNegative("max.connections.per.ip", c.max_connections_per_ip()));
        s.maxCalls(notNegative("max.calls.per.connection", c.max_calls_per_connection()),
                notNegative("max.calls.per.ip", c.max_calls_per_ip()));
        if (c.rate_max_wait() < 0) {
            throw new IllegalArgumentException("rate.max.wait: must not be negative, got " + c.rate_max_wait());
        }
        s.rateLimitQueue(Duration.ofSeconds(c.rate_max_wait()), notNegative("rate.max.waiting", c.rate_max_waiting()));
        if (c.call_threads() < 1) {
            throw new IllegalArgumentException("call.threads: must be at least 1, got " + c.call_threads());
        }
        s.callThreads(c.call_threads());
    }

    private static int notNegative(String key, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(key + ": must not be negative, got " + n);
        }
        return n;
    }

    /** state, etcd.*, max.clusters, max.affiliates. */
    private static void stateSettings(DiscoveryServerConfig c, ServerSettings s) {
        if (c.max_clusters() < 1 || c.max_affiliates() < 1) {
            throw new IllegalArgumentException("max.clusters and max.affiliates must be at least 1");
        }
        s.caps(c.max_clusters(), c.max_affiliates());
        String state = c.state() == null ? "memory" : c.state().trim();
        if (state.equals("memory")) {
            return;
        }
        if (!state.equals("etcd")) {
            throw new IllegalArgumentException("state: expected memory or etcd, got '" + state + "'");
        }
        EtcdSettings.Parsed endpoints;
        try {
            endpoints = EtcdSettings.parseEndpoints(c.etcd_endpoints());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd.endpoints: " + e.getMessage());
        }
        try {
            s.etcd(new EtcdSettings(endpoints.endpoints(), endpoints.tls(), optionalPath(c.etcd_ca()),
                    optionalPath(c.etcd_cert()), optionalPath(c.etcd_key()),
                    c.etcd_user() == null || c.etcd_user().isBlank() ? null : c.etcd_user().trim(),
                    optionalPath(c.etcd_password_file()), c.etcd_prefix(), seconds("etcd.timeout", c.etcd_timeout())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd.*: " + e.getMessage());
        }
    }

    private static Path optionalPath(String p) {
        return p == null || p.isBlank() ? null : Path.of(p.trim());
    }

    static Path snapshotPath(String configured, UnaryOperator<String> frameworkProperty) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String home = frameworkProperty.apply("kubespan.home");
        Path base = home == null || home.isBlank() ? Path.of("data") : Path.of(home.trim(), "data");
        return base.resolve("discovery").resolve("state.bin");
    }

    private static java.net.InetAddress address(String key, String value) {
        try {
            return IpLiterals.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    private static int port(String key, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(key + ": port " + port + " out of range 0..65535");
        }
        return port;
    }

    private static Duration seconds(String key, long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException(key + ": must be at least 1 second, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    @Deactivate
    public void deactivate() {
        if (lifecycle == null) {
            return;
        }
        Future<?> stopped = lifecycle.submit(() -> {
            DiscoveryServer server = running.get();
            if (server != null) {
                server.close();
            }
            return null;
        });
        try {
            stopped.get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("discovery server did not stop cleanly", e);
        }
        lifecycle.shutdownNow();
        try {
            lifecycle.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
