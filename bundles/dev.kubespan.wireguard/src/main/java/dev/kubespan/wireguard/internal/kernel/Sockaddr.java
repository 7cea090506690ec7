package dev.kubespan.wireguard.internal.kernel;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.kubespan.api.net.Endpoint;

/**
 * WGPEER_A_ENDPOINT: a {@code struct sockaddr_in} (16 bytes) or {@code sockaddr_in6} (28 bytes).
 * The family and the IPv6 scope id are in host order; the port, the address and the flow label
 * in network order. The kernel ignores an endpoint of any other length, so lengths are exact.
 */
final class Sockaddr {
    static final int IN_LENGTH = 16;
    static final int IN6_LENGTH = 28;

    private Sockaddr() {
    }

    static byte[] encode(Endpoint e) {
        InetAddress a = e.address();
        if (a instanceof Inet4Address) {
            ByteBuffer b = ByteBuffer.allocate(IN_LENGTH);
            b.order(ByteOrder.nativeOrder()).putShort((short) WireGuardGenl.AF_INET);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) e.port()).put(a.getAddress());
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(IN6_LENGTH);
        b.order(ByteOrder.nativeOrder()).putShort((short) WireGuardGenl.AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) e.port()).putInt(0).put(a.getAddress());
        b.order(ByteOrder.nativeOrder()).putInt(((Inet6Address) a).getScopeId());
        return b.array();
    }

    /**
     * The endpoint, or null for an unset one (family 0) or one without a port.
     *
     * @throws IllegalArgumentException for an unknown family or a family/length mismatch
     */
    static Endpoint decode(byte[] raw) {
        if (raw.length < 2) {
            throw new IllegalArgumentException("endpoint of " + raw.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        int family = Short.toUnsignedInt(b.order(ByteOrder.nativeOrder()).getShort(0));
        if (family == 0) {
            return null;
        }
        int expected = family == WireGuardGenl.AF_INET ? IN_LENGTH : family == WireGuardGenl.AF_INET6 ? IN6_LENGTH : -1;
        if (expected < 0) {
            throw new IllegalArgumentException("endpoint address family " + family + " is neither AF_INET nor AF_INET6");
        }
        if (raw.length != expected) {
            throw new IllegalArgumentException("endpoint of family " + family + " has " + raw.length + " bytes, expected "
                    + expected);
        }
        int port = Short.toUnsignedInt(b.order(ByteOrder.BIG_ENDIAN).getShort(2));
        if (port == 0) {
            return null;
        }
        try {
            InetAddress address;
            if (family == WireGuardGenl.AF_INET) {
                byte[] ip = new byte[4];
                b.position(4);
                b.get(ip);
                address = InetAddress.getByAddress(ip);
            } else {
                byte[] ip = new byte[16];
                b.position(8);
                b.get(ip);
                int scope = b.order(ByteOrder.nativeOrder()).getInt(24);
                address = scope == 0 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, scope);
            }
            return new Endpoint(address, port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("endpoint address: " + e.getMessage());
        }
    }
}
