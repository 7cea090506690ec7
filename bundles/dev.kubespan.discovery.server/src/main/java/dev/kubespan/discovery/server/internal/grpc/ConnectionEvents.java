package dev.kubespan.discovery.server.internal.grpc;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLException;

import dev.kubespan.discovery.grpc.transport.TransportEvents;
import dev.kubespan.api.Log;
import dev.kubespan.discovery.server.internal.metrics.LimitMetrics;

/**
 * Counts failed and refused connections, logs each as one debug line, and at most one warning
 * per interval that sums them up: whoever can open a TCP connection to the server must not be
 * able to fill its disk with log lines.
 */
public final class ConnectionEvents implements TransportEvents {
    private static final int MAX_DETAIL = 160;

    private final Log log;
    private final LimitMetrics metrics;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private long lastWarn;
    private boolean warned;
    private int failed;
    private int rejected;
    private String lastFailure;
    private String lastRejection;

    public ConnectionEvents(Log log, LimitMetrics metrics, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.metrics = metrics;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public void connectionRejected(InetAddress peer, Rejection why) {
        boolean perIp = why == Rejection.ADDRESS_LIMIT;
        metrics.connectionRejected(perIp ? LimitMetrics.IP_LIMIT : LimitMetrics.TOTAL_LIMIT);
        String detail = (peer == null ? "?" : peer.getHostAddress()) + ", "
                + (perIp ? "too many connections from this address" : "too many connections in total");
        log.debug("connection refused: " + detail);
        synchronized (this) {
            rejected++;
            lastRejection = detail;
            summarise();
        }
    }

    @Override
    public void transportFailed(Throwable cause) {
        metrics.transportError(kind(cause));
        String detail = describe(cause);
        log.debug("connection failed: " + detail);
        synchronized (this) {
            failed++;
            lastFailure = detail;
            summarise();
        }
    }

    /** Warns at once when nothing was logged within the interval; otherwise {@link #flush()} sums up later. */
    private void summarise() {
        long now = nanoTime.getAsLong();
        if (warned && now - lastWarn < intervalNanos) {
            return;
        }
        warn(now);
    }

    /** Logs the sum of the events not logged yet, once the interval since the last warning has passed. */
    public synchronized void flush() {
        long now = nanoTime.getAsLong();
        if ((failed > 0 || rejected > 0) && (!warned || now - lastWarn >= intervalNanos)) {
            warn(now);
        }
    }

    private void warn(long now) {
        StringBuilder sb = new StringBuilder();
        if (failed > 0) {
            sb.append(failed == 1 ? "1 connection failed" : failed + " connections failed").append(" (last: ")
                    .append(lastFailure).append(')');
        }
        if (rejected > 0) {
            sb.append(sb.length() > 0 ? "; " : "").append(rejected == 1 ? "1 connection" : rejected + " connections")
                    .append(" refused (last: ").append(lastRejection).append(')');
        }
        if (warned) {
            sb.append(" in the last ").append(Math.max(1, Duration.ofNanos(now - lastWarn).toSeconds())).append(" s");
        }
        sb.append("; more are summed up at most every ").append(Duration.ofNanos(intervalNanos).toSeconds())
                .append(" s, counted in discovery_server_transport_errors_total and"
                        + " discovery_server_connections_rejected_total");
        log.warn(sb.toString());
        warned = true;
        lastWarn = now;
        failed = 0;
        rejected = 0;
    }

    static String kind(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (t instanceof SSLException || name.contains("Ssl") || name.contains("SSL")) {
                return LimitMetrics.TLS;
            }
            if (name.startsWith("Http2")) {
                return LimitMetrics.HTTP2;
            }
        }
        return cause instanceof IOException ? LimitMetrics.IO : LimitMetrics.OTHER;
    }

    /** One line: the exception's type and the start of its message (which may hold a hex dump of the garbage). */
    static String describe(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).replaceAll("[\\r\\n\\t]+", " ");
        if (message.length() > MAX_DETAIL) {
            message = message.substring(0, MAX_DETAIL) + "…";
        }
        return cause.getClass().getSimpleName() + ": " + message;
    }
}
