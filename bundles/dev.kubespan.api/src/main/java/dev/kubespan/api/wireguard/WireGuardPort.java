package dev.kubespan.api.wireguard;

import java.net.InetSocketAddress;

/**
 * Datagrams from and to WireGuard's own UDP port while WireGuard owns it. A NAT maps a local
 * port to a public one per flow: to learn the public mapping of the WireGuard port (STUN), or to
 * open a NAT for it toward a peer (hole punching), the packets must leave <em>from</em> that port,
 * which wireguard-go's socket (or the kernel's) holds and which no API of either lends out.
 *
 * <p>Only STUN-formatted datagrams (RFC 8489: the magic cookie {@code 0x2112A442} at byte 4) are
 * delivered to the receiver; WireGuard itself ignores them, since their first four bytes are not
 * one of its message types. Everything sent is marked with KubeSpan's fwmark, so it leaves
 * outside the tunnel, as WireGuard's own packets do.
 */
public interface WireGuardPort {

    /** Called on the port's receive thread for every STUN datagram addressed to the port. */
    @FunctionalInterface
    interface Receiver {
        void received(InetSocketAddress from, byte[] datagram);
    }

    /** An open share of one local UDP port. */
    interface Share extends AutoCloseable {
        /** The shared local port. */
        int port();

        /**
         * Sends {@code datagram} from the shared port.
         *
         * @param hopLimit the IP TTL / hop limit, 0 for the system default; a small one lets a
         *            datagram pass this node's own NAT (opening it) without reaching the far end
         * @throws java.io.UncheckedIOException when the system refuses it (no route, ...)
         */
        void send(InetSocketAddress to, byte[] datagram, int hopLimit);

        /** Stops receiving and releases the sockets; idempotent. */
        @Override
        void close();
    }

    /**
     * Starts sharing {@code port} (the WireGuard listen port).
     *
     * @throws WireGuardException when the raw sockets cannot be opened (e.g. without CAP_NET_RAW)
     */
    Share open(int port, Receiver receiver);
}
