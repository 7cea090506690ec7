package dev.kubespan.discovery.grpc.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

/**
 * A NIO server socket that admits each accepted connection against {@link ConnectionLimits}
 * before netty (and grpc) spend anything on it: a connection over a cap is reset at once, an
 * admitted one gives its place back when it closes, however it closes.
 */
final class AdmittingServerSocketChannel extends NioServerSocketChannel {
    /** Refusals handled in one read before the event loop gets to serve other channels again. */
    private static final int MAX_REFUSALS_PER_READ = 64;

    private final ConnectionLimits limits;
    private final TransportEvents events;

    AdmittingServerSocketChannel(ConnectionLimits limits, TransportEvents events) {
        this.limits = limits;
        this.events = events;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        for (int refused = 0; refused < MAX_REFUSALS_PER_READ; refused++) {
            SocketChannel accepted = javaChannel().accept();
            if (accepted == null) {
                return 0;
            }
            InetAddress peer = peerOf(accepted);
            TransportEvents.Rejection why = limits.tryAdmit(peer);
            if (why == null) {
                try {
                    buf.add(new CountedSocketChannel(this, accepted, limits, peer));
                    return 1;
                } catch (RuntimeException e) {
                    limits.release(peer);
                    reset(accepted);
                    throw e;
                }
            }
            reset(accepted);
            if (events != null) {
                try {
                    events.connectionRejected(peer, why);
                } catch (RuntimeException ignored) {
                    // a listener's failure must not stop the server from accepting
                }
            }
        }
        return 0;
    }

    private static InetAddress peerOf(SocketChannel ch) {
        try {
            return ch.getRemoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Closes with RST (linger 0), so a refused connection leaves no TIME_WAIT state on this side. */
    private static void reset(SocketChannel ch) {
        try {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // already closed by the peer: a plain close is all that is left to do
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more can be done for a socket that cannot be closed
        }
    }

    /** A connection that gives its place back exactly once, when its socket is closed. */
    private static final class CountedSocketChannel extends NioSocketChannel {
        private final ConnectionLimits limits;
        private final InetAddress peer;
        private final AtomicBoolean released = new AtomicBoolean();

        CountedSocketChannel(Channel parent, SocketChannel socket, ConnectionLimits limits, InetAddress peer) {
            super(parent, socket);
            this.limits = limits;
            this.peer = peer;
        }

        @Override
        protected void doClose() throws Exception {
            try {
                super.doClose();
            } finally {
                if (released.compareAndSet(false, true)) {
                    limits.release(peer);
                }
            }
        }
    }
}
