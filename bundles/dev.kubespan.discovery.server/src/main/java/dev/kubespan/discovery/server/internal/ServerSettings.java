package dev.kubespan.discovery.server.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import dev.kubespan.discovery.server.internal.state.Limits;
import dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings;

/** Everything the discovery server core needs to run; built by the DS component or the command line. */
public final class ServerSettings {
    InetSocketAddress listen = new InetSocketAddress(3000);
    InetSocketAddress metrics = new InetSocketAddress(2122);
    Path tlsCertificate;
    Path tlsKey;
    Duration tlsReloadInterval = Duration.ofMinutes(1);
    Path snapshotPath;
    Duration snapshotInterval = Duration.ofMinutes(10);
    Duration gcInterval = Duration.ofMinutes(1);
    boolean trustXRealIp;
    boolean trustXForwardedFor;
    String redirectEndpoint;
    double rateLimitPerSecond = 15;
    int rateLimitBurst = 60;
    Duration limiterCleanupInterval = Duration.ofMinutes(1);
    Duration permitKeepAliveTime = Duration.ofSeconds(10);
    Limits limits = Limits.DEFAULT;
    // --- state backend ---
    /** Null: the in-memory state (with snapshots); else the shared state in etcd (no snapshots). */
    EtcdSettings etcd;

    public ServerSettings listen(InetSocketAddress address) {
        this.listen = Objects.requireNonNull(address, "listen address");
        return this;
    }

    /** Null disables the metrics endpoint. */
    public ServerSettings metrics(InetSocketAddress address) {
        this.metrics = address;
        return this;
    }

    /** Both set: TLS; both null: h2c. */
    public ServerSettings tls(Path certificate, Path key) {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key file");
        }
        this.tlsCertificate = certificate;
        this.tlsKey = key;
        return this;
    }

    /** How often the certificate and key files are checked for changes. */
    public ServerSettings tlsReloadInterval(Duration interval) {
        this.tlsReloadInterval = positive(interval, "TLS reload interval");
        return this;
    }

    /** Null disables snapshots. */
    public ServerSettings snapshot(Path path, Duration interval) {
        this.snapshotPath = path;
        this.snapshotInterval = positive(interval, "snapshot interval");
        return this;
    }

    public ServerSettings gcInterval(Duration interval) {
        this.gcInterval = positive(interval, "GC interval");
        return this;
    }

    public ServerSettings trustProxyHeaders(boolean xRealIp, boolean firstXForwardedFor) {
        this.trustXRealIp = xRealIp;
        this.trustXForwardedFor = firstXForwardedFor;
        return this;
    }

    /** {@code host:port} sent in every Hello to move clients elsewhere; null or blank for none. */
    public ServerSettings redirect(String endpoint) {
        this.redirectEndpoint = endpoint == null || endpoint.isBlank() ? null : endpoint.trim();
        return this;
    }

    /** Per-client-IP token bucket; a rate of 0 or less disables rate limiting. */
    public ServerSettings rateLimit(double perSecond, int burst) {
        if (perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("rate limit burst must be at least 1");
        }
        this.rateLimitPerSecond = perSecond;
        this.rateLimitBurst = burst;
        return this;
    }

    public ServerSettings limiterCleanupInterval(Duration interval) {
        this.limiterCleanupInterval = positive(interval, "limiter cleanup interval");
        return this;
    }

    public ServerSettings permitKeepAliveTime(Duration time) {
        this.permitKeepAliveTime = Objects.requireNonNull(time);
        return this;
    }

    public ServerSettings limits(Limits limits) {
        this.limits = Objects.requireNonNull(limits);
        return this;
    }

    // --- state backend and server-wide caps ---

    /** Keeps the state in etcd (shared by replicas) instead of memory; null for memory. */
    public ServerSettings etcd(EtcdSettings etcd) {
        this.etcd = etcd;
        return this;
    }

    /** At most {@code clusters} clusters holding affiliates and {@code affiliates} affiliates in all. */
    public ServerSettings caps(int clusters, int affiliates) {
        this.limits = limits.withCaps(clusters, affiliates);
        return this;
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "listen=" + listen + " tls=" + (tlsCertificate != null) + " metrics=" + metrics + " snapshot="
                + snapshotPath + " every " + snapshotInterval + " gc every " + gcInterval + " trustXRealIp="
                + trustXRealIp + " trustXForwardedFor=" + trustXForwardedFor + " redirect=" + redirectEndpoint
                + " rateLimit=" + rateLimitPerSecond + "/s burst " + rateLimitBurst
                + " state=" + (etcd == null ? "memory" : etcd) + " maxClusters=" + limits.maxClusters()
                + " maxAffiliates=" + limits.maxAffiliates();
    }
}
