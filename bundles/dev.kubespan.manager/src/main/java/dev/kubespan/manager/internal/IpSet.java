package dev.kubespan.manager.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import dev.kubespan.api.net.IpPrefix;

/**
 * A set of IP addresses kept as disjoint, non-adjacent inclusive ranges per family, so that
 * adding, removing and overlap tests work on whole prefixes and the result can be written back
 * as the minimal list of CIDR prefixes (docs/kubespan-node.md §4.1).
 */
final class IpSet {
    private static final int V4_BITS = 32;
    private static final int V6_BITS = 128;

    /** range start → range end (inclusive); adjacent ranges are always coalesced. */
    private final TreeMap<BigInteger, BigInteger> v4 = new TreeMap<>();
    private final TreeMap<BigInteger, BigInteger> v6 = new TreeMap<>();

    IpSet() {
    }

    IpSet copy() {
        IpSet c = new IpSet();
        c.v4.putAll(v4);
        c.v6.putAll(v6);
        return c;
    }

    static IpSet of(IpPrefix... prefixes) {
        IpSet s = new IpSet();
        for (IpPrefix p : prefixes) {
            s.add(p);
        }
        return s;
    }

    /** Adds every address of the prefix (host bits of the prefix address are ignored). */
    void add(IpPrefix p) {
        addRange(ranges(p), p.first(), p.last());
    }

    void addHost(InetAddress a) {
        add(IpPrefix.host(a));
    }

    void remove(IpPrefix p) {
        removeRange(ranges(p), p.first(), p.last());
    }

    void addAll(IpSet other) {
        other.v4.forEach((s, e) -> addRange(v4, s, e));
        other.v6.forEach((s, e) -> addRange(v6, s, e));
    }

    void removeAll(IpSet other) {
        other.v4.forEach((s, e) -> removeRange(v4, s, e));
        other.v6.forEach((s, e) -> removeRange(v6, s, e));
    }

    boolean overlaps(IpSet other) {
        return overlaps(v4, other.v4) || overlaps(v6, other.v6);
    }

    /** The addresses both sets hold. */
    IpSet intersection(IpSet other) {
        IpSet out = copy();
        IpSet outside = other.complement();
        out.removeAll(outside);
        return out;
    }

    boolean contains(InetAddress a) {
        TreeMap<BigInteger, BigInteger> m = a.getAddress().length == 4 ? v4 : v6;
        BigInteger n = new BigInteger(1, a.getAddress());
        Map.Entry<BigInteger, BigInteger> f = m.floorEntry(n);
        return f != null && f.getValue().compareTo(n) >= 0;
    }

    boolean isEmpty() {
        return v4.isEmpty() && v6.isEmpty();
    }

    /** Number of disjoint ranges (for tests and sizing). */
    int rangeCount() {
        return v4.size() + v6.size();
    }

    /** The minimal list of CIDR prefixes covering exactly this set: IPv4 first, each family ascending. */
    List<IpPrefix> prefixes() {
        List<IpPrefix> out = new ArrayList<>();
        v4.forEach((s, e) -> decompose(s, e, V4_BITS, out));
        v6.forEach((s, e) -> decompose(s, e, V6_BITS, out));
        return out;
    }

    /** The prefixes as text ({@code 10.0.0.1/32}). */
    List<String> toStrings() {
        List<IpPrefix> ps = prefixes();
        List<String> out = new ArrayList<>(ps.size());
        for (IpPrefix p : ps) {
            out.add(p.toString());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpSet other && v4.equals(other.v4) && v6.equals(other.v6);
    }

    @Override
    public int hashCode() {
        return v4.hashCode() * 31 + v6.hashCode();
    }

    @Override
    public String toString() {
        return toStrings().toString();
    }

    private IpSet complement() {
        IpSet all = new IpSet();
        all.v4.put(BigInteger.ZERO, max(V4_BITS));
        all.v6.put(BigInteger.ZERO, max(V6_BITS));
        all.removeAll(this);
        return all;
    }

    private TreeMap<BigInteger, BigInteger> ranges(IpPrefix p) {
        return p.isIpv4() ? v4 : v6;
    }

    private static BigInteger max(int bits) {
        return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    }

    private static void addRange(TreeMap<BigInteger, BigInteger> m, BigInteger start, BigInteger end) {
        BigInteger s = start;
        BigInteger e = end;
        // absorb a range that starts before and touches or overlaps the new one
        Map.Entry<BigInteger, BigInteger> before = m.floorEntry(s);
        if (before != null && before.getValue().add(BigInteger.ONE).compareTo(s) >= 0) {
            s = before.getKey();
            e = e.max(before.getValue());
            m.remove(before.getKey());
        }
        // absorb ranges that start inside or right after the new one
        NavigableMap<BigInteger, BigInteger> after = m.subMap(s, true, e.add(BigInteger.ONE), true);
        for (Iterator<Map.Entry<BigInteger, BigInteger>> it = after.entrySet().iterator(); it.hasNext();) {
            Map.Entry<BigInteger, BigInteger> r = it.next();
            e = e.max(r.getValue());
            it.remove();
        }
        m.put(s, e);
    }

    private static void removeRange(TreeMap<BigInteger, BigInteger> m, BigInteger s, BigInteger e) {
        Map.Entry<BigInteger, BigInteger> before = m.lowerEntry(s);
        if (before != null && before.getValue().compareTo(s) >= 0) {
            BigInteger oldEnd = before.getValue();
            m.put(before.getKey(), s.subtract(BigInteger.ONE));
            if (oldEnd.compareTo(e) > 0) {
                m.put(e.add(BigInteger.ONE), oldEnd);
                return;
            }
        }
        NavigableMap<BigInteger, BigInteger> inside = m.subMap(s, true, e, true);
        BigInteger tailEnd = null;
        for (Iterator<Map.Entry<BigInteger, BigInteger>> it = inside.entrySet().iterator(); it.hasNext();) {
            Map.Entry<BigInteger, BigInteger> r = it.next();
            if (r.getValue().compareTo(e) > 0) {
                tailEnd = r.getValue();
            }
            it.remove();
        }
        if (tailEnd != null) {
            m.put(e.add(BigInteger.ONE), tailEnd);
        }
    }

    private static boolean overlaps(TreeMap<BigInteger, BigInteger> a, TreeMap<BigInteger, BigInteger> b) {
        TreeMap<BigInteger, BigInteger> small = a.size() <= b.size() ? a : b;
        TreeMap<BigInteger, BigInteger> large = small == a ? b : a;
        for (Map.Entry<BigInteger, BigInteger> r : small.entrySet()) {
            Map.Entry<BigInteger, BigInteger> f = large.floorEntry(r.getValue());
            if (f != null && f.getValue().compareTo(r.getKey()) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Splits [s, e] into the largest aligned blocks, which is the minimal CIDR cover of a range. */
    private static void decompose(BigInteger start, BigInteger end, int width, List<IpPrefix> out) {
        BigInteger s = start;
        while (s.compareTo(end) <= 0) {
            int align = s.signum() == 0 ? width : s.getLowestSetBit();
            int fit = end.subtract(s).add(BigInteger.ONE).bitLength() - 1;
            int k = Math.min(align, fit);
            out.add(new IpPrefix(toAddress(s, width), width - k));
            s = s.add(BigInteger.ONE.shiftLeft(k));
        }
    }

    private static InetAddress toAddress(BigInteger n, int width) {
        byte[] raw = n.toByteArray();
        byte[] b = new byte[width / 8];
        int copy = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - copy, b, b.length - copy, copy);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
