package dev.kubespan.discovery.server.internal.metrics;

import java.util.function.IntSupplier;

/**
 * Counters of the server's defences against hostile or broken clients: connections refused or
 * failed, calls refused, delayed or cancelled by the rate limit. Every label value is from a
 * fixed set, so no client can grow the number of series.
 */
public final class LimitMetrics {
    /** {@code reason} of {@code discovery_server_connections_rejected_total}. */
    public static final String IP_LIMIT = "ip_limit";
    public static final String TOTAL_LIMIT = "total_limit";
    /** {@code reason} of {@code discovery_server_calls_rejected_total}. */
    public static final String RATE_LIMIT = "rate_limit";
    public static final String RATE_LIMIT_QUEUE_FULL = "rate_limit_queue_full";
    /** {@code kind} of {@code discovery_server_transport_errors_total}. */
    public static final String HTTP2 = "http2";
    public static final String TLS = "tls";
    public static final String IO = "io";
    public static final String OTHER = "other";

    private final MetricRegistry.Counter connectionsRejected;
    private final MetricRegistry.Counter transportErrors;
    private final MetricRegistry.Counter callsRejected;
    private final MetricRegistry.Counter rateLimitDelayed;
    private final MetricRegistry.Counter rateLimitCancelled;
    private volatile IntSupplier connections = () -> 0;
    private volatile IntSupplier waiting = () -> 0;
    private volatile IntSupplier activeCalls = () -> 0;

    LimitMetrics(MetricRegistry registry) {
        registry.gauge("discovery_server_connections", "The current number of client connections.",
                () -> connections.getAsInt());
        connectionsRejected = registry.counter("discovery_server_connections_rejected_total",
                "Connections reset as soon as accepted, by the cap they hit.", "reason");
        transportErrors = registry.counter("discovery_server_transport_errors_total",
                "Connections that ended with an error (not HTTP/2, protocol violation, failed TLS handshake).",
                "kind");
        registry.gauge("discovery_server_active_calls", "The current number of calls in progress.",
                () -> activeCalls.getAsInt());
        callsRejected = registry.counter("discovery_server_calls_rejected_total",
                "Calls refused with RESOURCE_EXHAUSTED by a limit, by the limit.", "reason");
        registry.gauge("discovery_server_rate_limit_waiting", "Calls waiting for a token of the rate limit now.",
                () -> waiting.getAsInt());
        rateLimitDelayed = registry.counter("discovery_server_rate_limit_delayed_total",
                "Calls that waited for a token of the rate limit.");
        rateLimitCancelled = registry.counter("discovery_server_rate_limit_cancelled_total",
                "Calls cancelled while they waited for a token; their token was given back.");
        rateLimitDelayed.add(0);
        rateLimitCancelled.add(0);
        for (String r : new String[] {IP_LIMIT, TOTAL_LIMIT}) {
            connectionsRejected.add(0, r);
        }
        for (String k : new String[] {HTTP2, TLS, IO, OTHER}) {
            transportErrors.add(0, k);
        }
        for (String r : new String[] {IP_LIMIT, RATE_LIMIT, RATE_LIMIT_QUEUE_FULL}) {
            callsRejected.add(0, r);
        }
    }

    /** Where the gauges read their values; set once the server runs. */
    public void sources(IntSupplier openConnections, IntSupplier waitingCalls, IntSupplier callsInProgress) {
        this.connections = openConnections;
        this.waiting = waitingCalls;
        this.activeCalls = callsInProgress;
    }

    public void connectionRejected(String reason) {
        connectionsRejected.inc(reason);
    }

    public void transportError(String kind) {
        transportErrors.inc(kind);
    }

    public void callRejected(String reason) {
        callsRejected.inc(reason);
    }

    public void rateLimitDelayed() {
        rateLimitDelayed.inc();
    }

    public void rateLimitCancelled() {
        rateLimitCancelled.inc();
    }

    public long connectionsRejected(String reason) {
        return connectionsRejected.get(reason);
    }

    public long transportErrors(String kind) {
        return transportErrors.get(kind);
    }

    public long callsRejected(String reason) {
        return callsRejected.get(reason);
    }

    public long rateLimitCancelledCount() {
        return rateLimitCancelled.get();
    }
}
