package dev.kubespan.net.internal;

import static dev.kubespan.test.Hex.hex;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.ByteOrder;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;

/**
 * rtnetlink requests byte for byte. The expected bytes are written from the struct layouts
 * verified against the kernel in docs/wireguard.md §6.3 (x86-64, little-endian); the
 * integration test then proves the kernel accepts them.
 */
public class RtnlEncodingTest {

    @BeforeClass
    public static void littleEndian() {
        org.junit.Assume.assumeTrue("vectors are little-endian", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    public void linkDump() {
        // nlmsghdr len 32, RTM_GETLINK, REQUEST|DUMP, seq 1, pid 0 | ifinfomsg all zero
        assertEquals(hex(hex("20000000 1200 0103 01000000 00000000 | 00000000 00000000 00000000 00000000")),
                hex(LinkMessages.dump().encode(1, 0)));
    }

    @Test
    public void linkCreateWithNestedKind() {
        assertEquals(hex(hex("3c000000 1000 0506 02000000 00000000 | 00000000 00000000 00000000 00000000"
                + "| 09000300 6c616230 00000000" // IFLA_IFNAME "lab0"
                + "| 10001280 0b000100 62726964 67650000")), // IFLA_LINKINFO { IFLA_INFO_KIND "bridge" }
                hex(LinkMessages.create("lab0", "bridge").encode(2, 0)));
    }

    @Test
    public void linkUpByName() {
        assertEquals(hex(hex("30000000 1000 0500 03000000 00000000 | 00000000 00000000 01000000 01000000"
                + "| 0d000300 6b756265 7370616e 00000000")),
                hex(LinkMessages.setUp("kubespan", true).encode(3, 0)));
    }

    @Test
    public void ipv6AddressSlash64WithNodad() {
        // ifaddrmsg {family 10, prefixlen 64, flags IFA_F_NODAD, scope 0, index 2} + IFA_LOCAL + IFA_ADDRESS
        String ip = "fd7a6b5c 9d010000 00000000 00000001";
        assertEquals(hex(hex("40000000 1400 0506 04000000 00000000 | 0a400200 02000000"
                + "| 14000200 " + ip + "| 14000100 " + ip)),
                hex(AddressMessages.add("lab0", 2, IpPrefix.parse("fd7a:6b5c:9d01::1/64")).encode(4, 0)));
    }

    @Test
    public void ipv4AddressHasNoNodad() {
        assertEquals(hex(hex("28000000 1400 0506 05000000 00000000 | 02180000 03000000"
                + "| 08000200 0a4d0001 | 08000100 0a4d0001")),
                hex(AddressMessages.add("lab0", 3, IpPrefix.parse("10.77.0.1/24")).encode(5, 0)));
    }

    @Test
    public void routeInTable180WithMetricAndMtu() {
        // rtmsg {family 10, dst_len 0, src_len 0, tos 0, table 180, proto static, scope universe, type unicast}
        // RTA_TABLE 180, RTA_OIF 2, RTA_PRIORITY 1, RTA_METRICS { RTAX_MTU 1380 }; no RTA_DST for ::/0
        Route r = new Route(IpPrefix.parse("::/0"), "lab0", 180, 1, 1380);
        assertEquals(hex(hex("40000000 1800 0505 06000000 00000000 | 0a000000 b4040001 00000000"
                + "| 08000f00 b4000000 | 08000400 02000000 | 08000600 01000000"
                + "| 0c000880 08000200 64050000")),
                hex(RouteMessages.add(r, 2).encode(6, 0)));
    }

    @Test
    public void routeInTableAbove255HasOnlyRtaTable() {
        Route r = new Route(IpPrefix.parse("10.0.0.0/8"), "lab0", 1000, 0, 0);
        assertEquals(hex(hex("3c000000 1800 0505 07000000 00000000 | 02080000 00040001 00000000"
                + "| 08000f00 e8030000 | 08000100 0a000000 | 08000400 02000000 | 08000600 00000000")),
                hex(RouteMessages.add(r, 2).encode(7, 0)));
    }

    @Test
    public void routeDeleteUsesWildcardScopeTypeAndProtocol() {
        Route r = new Route(IpPrefix.parse("0.0.0.0/0"), "lab0", 180, 1, 1380);
        assertEquals(hex(hex("34000000 1900 0500 08000000 00000000 | 02000000 b400ff00 00000000"
                + "| 08000f00 b4000000 | 08000400 02000000 | 08000600 01000000")),
                hex(RouteMessages.delete(r, 2).encode(8, 0)));
    }

    @Test
    public void notFwmarkRuleIpv4AndIpv6() {
        // fib_rule_hdr {family, 0, 0, 0, table 180, 0, 0, FR_ACT_TO_TBL; flags FIB_RULE_INVERT}
        // FRA_PRIORITY 32500, FRA_FWMARK 0x20, FRA_FWMASK 0x20, FRA_TABLE 180, FRA_PROTOCOL 75
        String attrs = "| 08000600 f47e0000 | 08000a00 20000000 | 08001000 20000000 | 08000f00 b4000000"
                + "| 05001500 4b000000";
        assertEquals(hex(hex("44000000 2000 0506 09000000 00000000 | 02000000 b4000001 02000000" + attrs)),
                hex(RuleMessages.add(Rule.builder(false).priority(32500).table(180).fwmark(0x20, 0x20).invert().build()).encode(9, 0)));
        assertEquals(hex(hex("44000000 2000 0506 0a000000 00000000 | 0a000000 b4000001 02000000" + attrs)),
                hex(RuleMessages.add(Rule.builder(true).priority(32500).table(180).fwmark(0x20, 0x20).invert().build()).encode(10, 0)));
    }

    @Test
    public void serviceExemptionRuleWithProtocolAndPortRanges() {
        // ipproto tcp sport 3000 dport 1000-2000 lookup main pref 32490; ranges are host order
        Rule r = Rule.builder(false).priority(32490).table(Rule.TABLE_MAIN).ipProto(Rule.IPPROTO_TCP)
                .sport(PortRange.of(3000)).dport(new PortRange(1000, 2000)).build();
        assertEquals(hex(hex("4c000000 2000 0506 0b000000 00000000 | 02000000 fe000001 00000000"
                + "| 08000600 ea7e0000 | 08000f00 fe000000 | 05001600 06000000 | 08001700 b80bb80b"
                + "| 08001800 e803d007 | 05001500 4b000000")),
                hex(RuleMessages.add(r).encode(11, 0)));
    }

    @Test
    public void ruleDump() {
        assertEquals(hex(hex("1c000000 2200 0103 0c000000 00000000 | 0a000000 00000000 00000000")),
                hex(RuleMessages.dump(true).encode(12, 0)));
    }

    @Test
    public void badNamesAndValuesAreRejectedBeforeTheKernelSeesThem() {
        assertThrows(IllegalArgumentException.class, () -> LinkMessages.create("a-name-that-is-too-long", "bridge"));
        assertThrows(IllegalArgumentException.class, () -> LinkMessages.create("with space", "bridge"));
        assertThrows(IllegalArgumentException.class, () -> LinkMessages.create("ok", ""));
        assertThrows(IllegalArgumentException.class, () -> LinkMessages.setMtu("ok", 20));
        assertThrows(IllegalArgumentException.class,
                () -> RouteMessages.add(new Route(IpPrefix.parse("::/0"), "x", 0, 1, 0), 1));
    }
}
