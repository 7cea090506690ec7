package dev.kubespan.discovery.server.internal.grpc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLHandshakeException;

import org.junit.Test;

import dev.kubespan.discovery.grpc.transport.TransportEvents;
import dev.kubespan.api.Log;
import dev.kubespan.discovery.server.internal.metrics.LimitMetrics;
import dev.kubespan.discovery.server.internal.metrics.ServerMetrics;

public class ConnectionEventsTest {
    private final AtomicLong nanos = new AtomicLong();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> debug = new ArrayList<>();
    private final LimitMetrics metrics = new ServerMetrics(() -> null).limits(); // state gauges are not rendered here
    private final ConnectionEvents events = new ConnectionEvents(new Log() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }

        @Override
        public void error(String message, Throwable cause) {
            warnings.add(message);
        }

        @Override
        public void debug(String message) {
            debug.add(message);
        }
    }, metrics, Duration.ofMinutes(1), nanos::get);

    /** Like netty's Http2Exception: classified by name, as the server does not see netty's types. */
    static final class Http2Exception extends Exception {
        private static final long serialVersionUID = 1L;

        Http2Exception(String m) {
            super(m);
        }
    }

    @Test
    public void oneWarningPerIntervalEveryEventCountedAndADebugLineEach() throws Exception {
        for (int i = 0; i < 1000; i++) {
            events.transportFailed(new Http2Exception("HTTP/2 client preface string missing or corrupt. Hex dump: "
                    + "ab".repeat(200) + "\n\tat frame " + i));
        }
        events.connectionRejected(InetAddress.getByName("192.0.2.1"), TransportEvents.Rejection.ADDRESS_LIMIT);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0), warnings.get(0).startsWith("1 connection failed (last: Http2Exception: HTTP/2"));
        assertTrue("long messages are cut: " + warnings.get(0).length(), warnings.get(0).length() < 400);
        assertEquals(1001, debug.size());
        assertTrue(debug.get(5).indexOf('\n') < 0);
        events.flush(); // within the interval: nothing yet
        assertEquals(1, warnings.size());
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        events.flush();
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(1), warnings.get(1).startsWith("999 connections failed"));
        assertTrue(warnings.get(1), warnings.get(1).contains("1 connection refused (last: 192.0.2.1, too many connections from this address)"));
        assertTrue(warnings.get(1), warnings.get(1).contains("in the last 61 s"));
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        events.flush(); // nothing new: silent
        assertEquals(2, warnings.size());
        assertEquals(1000, metrics.transportErrors(LimitMetrics.HTTP2));
        assertEquals(1, metrics.connectionsRejected(LimitMetrics.IP_LIMIT));
    }

    @Test
    public void kinds() {
        assertEquals(LimitMetrics.HTTP2, ConnectionEvents.kind(new Http2Exception("x")));
        assertEquals(LimitMetrics.TLS, ConnectionEvents.kind(new RuntimeException(new SSLHandshakeException("x"))));
        assertEquals(LimitMetrics.IO, ConnectionEvents.kind(new IOException("reset")));
        assertEquals(LimitMetrics.OTHER, ConnectionEvents.kind(new IllegalStateException()));
    }
}
