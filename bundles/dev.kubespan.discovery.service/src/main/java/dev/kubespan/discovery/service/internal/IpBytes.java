package dev.kubespan.discovery.service.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import dev.kubespan.api.net.IpLiterals;

/**
 * IP addresses in Go's {@code netip.Addr} binary form (docs/discovery-protocol.md §3.3): 4 bytes
 * IPv4, 16 bytes IPv6, more than 16 = IPv6 followed by a zone name. IPv4-mapped IPv6 stays 16
 * bytes in both directions (the JDK would silently turn it into IPv4).
 */
public final class IpBytes {
    private IpBytes() {
    }

    /** Binary form of an IP literal ({@code 10.0.0.1}, {@code fd00::1}, {@code ::ffff:10.0.0.1}). */
    public static byte[] encode(String literal) {
        InetAddress a = IpLiterals.parse(literal);
        if (a instanceof Inet4Address && literal.contains(":")) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
            return mapped;
        }
        return a.getAddress();
    }

    /** The address for binary form; a zone suffix is dropped (it has no meaning on this node). */
    public static InetAddress decode(byte[] b) throws PayloadException {
        try {
            if (b.length == 4) {
                return InetAddress.getByAddress(b);
            }
            if (b.length >= 16) {
                return Inet6Address.getByAddress(null, Arrays.copyOf(b, 16), -1);
            }
        } catch (UnknownHostException e) {
            // falls through to the error below
        }
        throw new PayloadException("IP address of " + b.length + " bytes (expected 4 or 16)");
    }

    /** Canonical text of a binary IP. */
    public static String decodeText(byte[] b) throws PayloadException {
        return IpLiterals.format(decode(b));
    }
}
