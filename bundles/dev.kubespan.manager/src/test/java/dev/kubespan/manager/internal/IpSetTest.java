package dev.kubespan.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.Test;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;

public class IpSetTest {

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    private static IpSet set(String... prefixes) {
        IpSet s = new IpSet();
        for (String x : prefixes) {
            s.add(p(x));
        }
        return s;
    }

    @Test
    public void emptySetHasNoPrefixes() {
        IpSet s = new IpSet();
        assertTrue(s.isEmpty());
        assertEquals(List.of(), s.toStrings());
    }

    @Test
    public void adjacentHostsCoalesceIntoOnePrefix() {
        assertEquals(List.of("10.0.0.0/31"), set("10.0.0.0", "10.0.0.1").toStrings());
        assertEquals(List.of("10.0.0.0/30"), set("10.0.0.3", "10.0.0.1", "10.0.0.0", "10.0.0.2").toStrings());
    }

    @Test
    public void unalignedRangeIsSplitIntoMinimalAlignedBlocks() {
        IpSet s = new IpSet();
        for (int i = 1; i <= 6; i++) {
            s.add(p("10.0.0." + i));
        }
        assertEquals(List.of("10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"), s.toStrings());
        assertEquals(1, s.rangeCount());
    }

    @Test
    public void hostBitsOfAPrefixAreIgnored() {
        assertEquals(List.of("10.1.0.0/16"), set("10.1.2.3/16").toStrings());
    }

    @Test
    public void removingAHalfLeavesTheOtherHalf() {
        IpSet s = set("10.0.0.0/24");
        s.remove(p("10.0.0.128/25"));
        assertEquals(List.of("10.0.0.0/25"), s.toStrings());
    }

    @Test
    public void removingOneHostFromASlash24() {
        IpSet s = set("10.0.0.0/24");
        s.remove(p("10.0.0.5"));
        assertEquals(List.of("10.0.0.0/30", "10.0.0.4/32", "10.0.0.6/31", "10.0.0.8/29", "10.0.0.16/28",
                "10.0.0.32/27", "10.0.0.64/26", "10.0.0.128/25"), s.toStrings());
        assertFalse(s.contains(IpLiterals.parse("10.0.0.5")));
        assertTrue(s.contains(IpLiterals.parse("10.0.0.4")));
        assertTrue(s.contains(IpLiterals.parse("10.0.0.6")));
    }

    @Test
    public void removeSpanningSeveralRanges() {
        IpSet s = set("10.0.0.1", "10.0.0.3", "10.0.0.5", "10.0.0.7", "10.0.0.9");
        s.remove(p("10.0.0.2/31")); // .2-.3
        s.remove(p("10.0.0.4/30")); // .4-.7
        assertEquals(List.of("10.0.0.1/32", "10.0.0.9/32"), s.toStrings());
    }

    @Test
    public void removeOfAbsentRangeChangesNothing() {
        IpSet s = set("10.0.0.0/24");
        s.remove(p("192.168.0.0/16"));
        s.remove(p("fd00::/8"));
        assertEquals(List.of("10.0.0.0/24"), s.toStrings());
    }

    @Test
    public void everythingInBothFamilies() {
        assertEquals(List.of("0.0.0.0/0", "::/0"), set("::/0", "0.0.0.0/0").toStrings());
        IpSet s = set("0.0.0.0/0");
        s.remove(p("0.0.0.0/1"));
        assertEquals(List.of("128.0.0.0/1"), s.toStrings());
        IpSet top = set("255.255.255.255", "255.255.255.254");
        assertEquals(List.of("255.255.255.254/31"), top.toStrings());
    }

    @Test
    public void ipv4ComesFirstThenAscendingAddresses() {
        IpSet s = set("fd00::2", "192.168.1.1", "2001:db8::1", "10.0.0.1", "fd00::1");
        assertEquals(List.of("10.0.0.1/32", "192.168.1.1/32", "2001:db8::1/128", "fd00::1/128", "fd00::2/128"),
                s.toStrings());
    }

    @Test
    public void ipv6HostsCoalesce() {
        assertEquals(List.of("fd00::1/128", "fd00::2/127"), set("fd00::1", "fd00::2", "fd00::3").toStrings());
        assertEquals(List.of("fd00::/127"), set("fd00::", "fd00::1").toStrings());
    }

    @Test
    public void overlapIsAboutSharedAddressesOnly() {
        assertFalse("adjacent ranges do not overlap", set("10.0.0.0/25").overlaps(set("10.0.0.128/25")));
        assertTrue(set("10.0.0.0/24").overlaps(set("10.0.0.77")));
        assertTrue(set("10.0.0.77").overlaps(set("10.0.0.0/24")));
        assertFalse("families never overlap", set("0.0.0.0/0").overlaps(set("::/0")));
        assertFalse(new IpSet().overlaps(set("10.0.0.0/8")));
        assertTrue(set("10.0.0.1", "fd00::1").overlaps(set("fd00::/64")));
    }

    @Test
    public void intersectionAndRemoveAll() {
        IpSet a = set("10.0.0.0/24", "fd00::/64");
        IpSet b = set("10.0.0.128/25", "192.168.0.1", "fd00::5");
        assertEquals(List.of("10.0.0.128/25", "fd00::5/128"), a.intersection(b).toStrings());
        a.removeAll(b);
        assertEquals("10.0.0.0/25", a.prefixes().get(0).toString());
        assertFalse(a.contains(IpLiterals.parse("fd00::5")));
        assertTrue(a.contains(IpLiterals.parse("fd00::4")));
        assertFalse(a.overlaps(b));
    }

    @Test
    public void addAllMerges() {
        IpSet a = set("10.0.0.0/25");
        a.addAll(set("10.0.0.128/25"));
        assertEquals(List.of("10.0.0.0/24"), a.toStrings());
    }

    @Test
    public void copyIsIndependent() {
        IpSet a = set("10.0.0.0/24");
        IpSet c = a.copy();
        c.remove(p("10.0.0.0/25"));
        assertEquals(List.of("10.0.0.0/24"), a.toStrings());
        assertEquals(List.of("10.0.0.128/25"), c.toStrings());
    }

    /** Random adds and removes inside 10.0.0.0/24, checked address by address against a bitmap. */
    @Test
    public void randomOperationsMatchABitmapAndStayMinimal() {
        Random rnd = new Random(42);
        for (int round = 0; round < 200; round++) {
            IpSet s = new IpSet();
            boolean[] in = new boolean[256];
            for (int op = 0; op < 12; op++) {
                int bits = 24 + rnd.nextInt(9);
                int size = 1 << (32 - bits);
                int start = rnd.nextInt(256) & ~(size - 1);
                IpPrefix prefix = p("10.0.0." + start + "/" + bits);
                boolean add = rnd.nextInt(3) > 0;
                if (add) {
                    s.add(prefix);
                } else {
                    s.remove(prefix);
                }
                for (int i = start; i < start + size; i++) {
                    in[i] = add;
                }
            }
            List<IpPrefix> prefixes = s.prefixes();
            boolean[] covered = new boolean[256];
            for (IpPrefix q : prefixes) {
                int first = q.first().intValue() & 0xff;
                int n = 1 << (32 - q.bits());
                for (int i = first; i < first + n; i++) {
                    assertFalse("prefixes are disjoint", covered[i]);
                    covered[i] = true;
                }
            }
            for (int i = 0; i < 256; i++) {
                assertEquals("10.0.0." + i, in[i], covered[i]);
                assertEquals(in[i], s.contains(IpLiterals.parse("10.0.0." + i)));
            }
            for (int i = 1; i < prefixes.size(); i++) {
                IpPrefix a = prefixes.get(i - 1);
                IpPrefix b = prefixes.get(i);
                assertTrue("sorted", a.compareTo(b) < 0);
                boolean siblings = a.bits() == b.bits() && a.bits() > 0
                        && new IpPrefix(a.address(), a.bits() - 1).masked()
                                .equals(new IpPrefix(b.address(), b.bits() - 1).masked());
                assertFalse("two mergeable siblings " + a + " " + b + " means not minimal", siblings);
            }
        }
    }

    @Test
    public void largeSetsStayCorrect() {
        IpSet s = new IpSet();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String a = "10." + (i / 250) + "." + (i % 250) + ".1";
            s.addHost(InetAddress.getLoopbackAddress());
            s.add(p(a));
            expected.add(a + "/32");
        }
        s.remove(p("127.0.0.1"));
        assertEquals(expected, s.toStrings());
    }
}
