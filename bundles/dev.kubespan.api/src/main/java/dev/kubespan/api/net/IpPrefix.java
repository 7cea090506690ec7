package dev.kubespan.api.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP prefix ({@code 10.0.0.0/8}, {@code fd00::1/128}). The address keeps its host bits as
 * given (an interface address is a prefix too); {@link #masked()} clears them.
 */
public record IpPrefix(InetAddress address, int bits) implements Comparable<IpPrefix> {

    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int max = address.getAddress().length * 8;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range 0.." + max);
        }
    }

    /** A single host: /32 or /128. */
    public static IpPrefix host(InetAddress a) {
        return new IpPrefix(a, a.getAddress().length * 8);
    }

    /** Parses {@code ip/len} or a bare IP literal (a host prefix). Never does DNS. */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty prefix");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        InetAddress a = IpLiterals.parse(slash < 0 ? s : s.substring(0, slash));
        if (slash < 0) {
            return host(a);
        }
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
        }
        try {
            return new IpPrefix(a, Integer.parseInt(len));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid prefix '" + text + "': " + e.getMessage());
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public int maxBits() {
        return address.getAddress().length * 8;
    }

    public boolean isHost() {
        return bits == maxBits();
    }

    /** The same prefix with host bits cleared. */
    public IpPrefix masked() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return new IpPrefix(InetAddress.getByAddress(b), bits);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(InetAddress a) {
        if (a.getAddress().length != address.getAddress().length) {
            return false;
        }
        return new IpPrefix(a, bits).masked().address.equals(masked().address);
    }

    public boolean contains(IpPrefix other) {
        return other.bits >= bits && contains(other.address);
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    /** The first address as an unsigned number (for range arithmetic). */
    public BigInteger first() {
        return new BigInteger(1, masked().address.getAddress());
    }

    /** The last address as an unsigned number. */
    public BigInteger last() {
        return first().add(BigInteger.ONE.shiftLeft(maxBits() - bits)).subtract(BigInteger.ONE);
    }

    /** IPv4 before IPv6, then by address, then shorter prefix first. */
    @Override
    public int compareTo(IpPrefix o) {
        if (isIpv4() != o.isIpv4()) {
            return isIpv4() ? -1 : 1;
        }
        int c = first().compareTo(o.first());
        return c != 0 ? c : Integer.compare(bits, o.bits);
    }

    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + bits;
    }
}
