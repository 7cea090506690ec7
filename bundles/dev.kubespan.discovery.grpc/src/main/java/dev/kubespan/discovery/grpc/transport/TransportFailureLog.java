package dev.kubespan.discovery.grpc.transport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.SSLHandshakeException;

/**
 * Hands grpc's per-connection failure records to a server's {@link TransportEvents} instead of
 * the JDK log. grpc-netty logs every failed connection (garbage bytes, a bad preface, a failed
 * TLS handshake) at INFO with a full stack trace, so anyone who can open a TCP connection could
 * fill the disk with logs. The records are told apart by thread: only those logged on the event
 * loops of a server that has a listener are diverted; everything else is logged as before.
 *
 * <p>The filter is installed on the JDK's global loggers while at least one such server runs,
 * and removed with the last one, so no class of this bundle stays referenced by the JDK's log
 * manager after the bundle is stopped.
 */
final class TransportFailureLog {
    /** The loggers grpc-netty reports a failed server connection on. */
    private static final String[] LOGGERS = {
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
        "io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators",
        "io.grpc.netty.shaded.io.netty.channel.DefaultChannelPipeline",
        "io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler",
    };

    /**
     * Reports a failed TLS handshake at FINE only: it is lowered to FINE while installed, so that
     * those failures can be counted; for everyone else the filter keeps its former level.
     */
    private static final String TLS_LOGGER = "io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators";

    private static final ThreadLocal<TransportEvents> SINK = new ThreadLocal<>();
    /** Strong references: the JDK's log manager keeps loggers only weakly, and would drop our filters with them. */
    private static final Map<Logger, Installed> INSTALLED = new LinkedHashMap<>();
    private static int users;

    private record Installed(Filter filter, Level level) {
    }

    private TransportFailureLog() {
    }

    /** Threads made by the result report the failures they log to {@code sink}. */
    static ThreadFactory reportingTo(TransportEvents sink, ThreadFactory threads) {
        return r -> threads.newThread(() -> {
            SINK.set(sink);
            try {
                r.run();
            } finally {
                SINK.remove();
            }
        });
    }

    static synchronized void acquire() {
        if (users++ > 0) {
            return;
        }
        for (String name : LOGGERS) {
            Logger logger = Logger.getLogger(name);
            Filter previous = logger.getFilter();
            Level floor = effectiveLevel(logger);
            INSTALLED.put(logger, new Installed(previous, logger.getLevel()));
            logger.setFilter(new Diverting(previous, floor));
            if (name.equals(TLS_LOGGER) && floor.intValue() > Level.FINE.intValue()) {
                logger.setLevel(Level.FINE);
            }
        }
    }

    static synchronized void release() {
        if (users == 0 || --users > 0) {
            return;
        }
        INSTALLED.forEach((logger, previous) -> {
            // Someone may have replaced our filter since; theirs stays.
            if (logger.getFilter() instanceof Diverting) {
                logger.setFilter(previous.filter());
                logger.setLevel(previous.level());
            }
        });
        INSTALLED.clear();
    }

    private static Level effectiveLevel(Logger logger) {
        for (Logger l = logger; l != null; l = l.getParent()) {
            if (l.getLevel() != null) {
                return l.getLevel();
            }
        }
        return Level.INFO;
    }

    /** {@code floor}: the logger's level before it was installed; records below it were not logged then. */
    private record Diverting(Filter next, Level floor) implements Filter {
        @Override
        public boolean isLoggable(LogRecord record) {
            boolean belowFloor = record.getLevel().intValue() < floor.intValue();
            TransportEvents sink = SINK.get();
            if (sink == null) {
                return !belowFloor && (next == null || next.isLoggable(record));
            }
            Throwable failure = record.getThrown();
            String message = String.valueOf(record.getMessage());
            if (failure == null && message.startsWith("TLS negotiation failed")) {
                // logged without its cause (that goes down the pipeline), and with a page of engine details
                failure = new SSLHandshakeException("TLS negotiation failed");
            }
            if (failure == null && !belowFloor) {
                failure = new Exception(message);
            }
            if (failure != null) {
                try {
                    sink.transportFailed(failure);
                } catch (RuntimeException ignored) {
                    // a listener's failure must not reach the event loop
                }
            }
            return false;
        }
    }
}
