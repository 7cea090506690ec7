package dev.kubespan.discovery.server.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.kubespan.api.net.IpPrefix;
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

    // Limits against hostile or broken clients (README "Limits"); 0 turns a cap off.
    Duration handshakeTimeout = Duration.ofSeconds(10);
    Duration idleTimeout = Duration.ofMinutes(1);
    Duration keepAliveTime = Duration.ofMinutes(2);
    Duration keepAliveTimeout = Duration.ofSeconds(20);
    int maxConnections = 10_000;
    int maxConnectionsPerIp = 100;
    int maxCallsPerConnection = 100;
    int maxCallsPerIp = 200;
    Duration rateLimitMaxWait = Duration.ofSeconds(10);
    int rateLimitMaxWaiting = 1000;
    int callThreads = 8;
    int maxMessageSize = 64 * 1024;
    List<IpPrefix> trustedProxies = List.of();
    Duration transportLogInterval = Duration.ofMinutes(1);

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

    // Limits against hostile or broken clients.

    /** A connection that has not sent the HTTP/2 preface and settings (after TLS) within this time is closed. */
    public ServerSettings handshakeTimeout(Duration timeout) {
        this.handshakeTimeout = positive(timeout, "handshake timeout");
        return this;
    }

    /** A connection without calls for this long is closed (GOAWAY, then closed within 10 s at most). */
    public ServerSettings idleTimeout(Duration timeout) {
        this.idleTimeout = positive(timeout, "idle timeout");
        return this;
    }

    /** The server pings a silent connection after {@code time} and closes it if no answer comes within {@code timeout}. */
    public ServerSettings keepAlive(Duration time, Duration timeout) {
        this.keepAliveTime = positive(time, "keepalive time");
        this.keepAliveTimeout = positive(timeout, "keepalive timeout");
        return this;
    }

    /** Open connections in total and per client IP (TCP peer); 0 = no cap. */
    public ServerSettings maxConnections(int total, int perIp) {
        this.maxConnections = notNegative(total, "max connections");
        this.maxConnectionsPerIp = notNegative(perIp, "max connections per IP");
        return this;
    }

    /** Calls in progress per connection (HTTP/2 MAX_CONCURRENT_STREAMS) and per client IP; 0 = no cap. */
    public ServerSettings maxCalls(int perConnection, int perIp) {
        this.maxCallsPerConnection = notNegative(perConnection, "max calls per connection");
        this.maxCallsPerIp = notNegative(perIp, "max calls per IP");
        return this;
    }

    /** The longest a call waits for its rate-limit token, and how many calls may wait at once. */
    public ServerSettings rateLimitQueue(Duration maxWait, int maxWaiting) {
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("rate limit max wait must not be negative, got " + maxWait);
        }
        this.rateLimitMaxWait = maxWait;
        this.rateLimitMaxWaiting = notNegative(maxWaiting, "rate limit max waiting calls");
        return this;
    }

    /**
     * Threads that run calls when the backend may block (etcd; a flood queues instead of adding
     * threads). The in-memory backend runs calls on the event loops and needs none.
     */
    public ServerSettings callThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("call threads must be at least 1, got " + threads);
        }
        this.callThreads = threads;
        return this;
    }

    /** The largest request accepted, in bytes (larger: RESOURCE_EXHAUSTED). */
    public ServerSettings maxMessageSize(int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("max message size must be at least 1024 bytes, got " + bytes);
        }
        this.maxMessageSize = bytes;
        return this;
    }

    /**
     * Peers whose forwarding headers are believed when {@link #trustProxyHeaders} allows them;
     * empty = any peer.
     */
    public ServerSettings trustedProxies(List<IpPrefix> prefixes) {
        this.trustedProxies = List.copyOf(prefixes);
        return this;
    }

    /** Failed and refused connections are summed up in one warning per interval (each is a debug line). */
    public ServerSettings transportLogInterval(Duration interval) {
        this.transportLogInterval = positive(interval, "transport log interval");
        return this;
    }

    /** The limits against hostile clients in one line, for the start-up log (0 = no cap). */
    public String limitsDescription() {
        return "limits: handshake " + seconds(handshakeTimeout) + ", idle " + seconds(idleTimeout) + ", keepalive "
                + seconds(keepAliveTime) + "/" + seconds(keepAliveTimeout) + ", connections " + maxConnections + " ("
                + maxConnectionsPerIp + " per IP), calls " + maxCallsPerConnection + " per connection, "
                + maxCallsPerIp + " per IP, rate limit " + (rateLimitPerSecond > 0
                        ? rateLimitPerSecond + "/s burst " + rateLimitBurst + " wait <= " + seconds(rateLimitMaxWait)
                                + " (<= " + rateLimitMaxWaiting + " waiting)"
                        : "off")
                + ", " + (etcd != null ? callThreads + " call threads" : "calls on the event loops") + ", messages <= " + maxMessageSize + " bytes, forwarding headers: "
                + (trustXRealIp || trustXForwardedFor
                        ? (trustXRealIp ? "X-Real-IP " : "") + (trustXForwardedFor ? "X-Forwarded-For " : "")
                                + "from " + (trustedProxies.isEmpty() ? "any peer" : trustedProxies.toString())
                        : "ignored");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static int notNegative(int n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + n);
        }
        return n;
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
                + " maxAffiliates=" + limits.maxAffiliates() + " " + limitsDescription();
    }
}
