package dev.kubespan.discovery.grpc.transport;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What an {@link OwnedServer} reports about its connections, for counters and bounded logging.
 * Called on the server's event-loop threads: implementations must be quick and must not block.
 */
@ConsumerType
public interface TransportEvents {
    /** Why a new connection was closed as soon as it was accepted. */
    enum Rejection {
        /** The server already holds its maximum number of connections. */
        TOTAL_LIMIT,
        /** The peer's address already holds its maximum number of connections. */
        ADDRESS_LIMIT
    }

    /** A connection from {@code peer} was refused (reset) right after it was accepted. */
    default void connectionRejected(InetAddress peer, Rejection why) {
    }

    /**
     * A connection ended with an error: bytes that are not HTTP/2, a protocol violation, a failed
     * TLS handshake. When a server has a listener, grpc's own log record of the failure (a stack
     * trace per connection) is not written; the listener decides what to log.
     */
    default void transportFailed(Throwable cause) {
    }
}
