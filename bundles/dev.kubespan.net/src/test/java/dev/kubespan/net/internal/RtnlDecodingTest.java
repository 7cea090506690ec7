package dev.kubespan.net.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.netlink.HexFixture;
import dev.kubespan.net.netlink.NetlinkMessage;

/**
 * Decoding of replies recorded from the real kernel in a throwaway namespace holding lo and a
 * bridge ks-br0 (see NetlinkFixtureRecorder and the '#' header of each fixture).
 */
public class RtnlDecodingTest {
    private static final Map<Integer, String> NAMES = Map.of(1, "lo", 2, "ks-br0");

    @BeforeClass
    public static void littleEndian() {
        org.junit.Assume.assumeTrue("fixtures are little-endian", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    private static List<NetlinkMessage> data(String fixture, int type) {
        return HexFixture.messages(fixture).stream().filter(m -> m.type() == type).toList();
    }

    @Test
    public void linkDumpWithNestedLinkInfo() {
        List<LinkInfo> links = data("link-dump", Rtnl.RTM_NEWLINK).stream().map(LinkMessages::parse).toList();
        assertEquals(2, links.size());
        assertEquals(new LinkInfo(1, "lo", "", 772, "00:00:00:00:00:00", true, 65536), links.get(0));
        assertEquals(new LinkInfo(2, "ks-br0", "bridge", LinkInfo.ARPHRD_ETHER, "02:4b:53:00:00:01", true, 1420),
                links.get(1));
    }

    @Test
    public void linkGetReply() {
        LinkInfo l = LinkMessages.parse(data("link-get-bridge", Rtnl.RTM_NEWLINK).get(0));
        assertEquals("bridge", l.kind());
        assertEquals(1420, l.mtu());
    }

    @Test
    public void addressDump() {
        List<AddressInfo> all = data("addr-dump", Rtnl.RTM_NEWADDR).stream()
                .map(m -> AddressMessages.parse(m, NAMES)).flatMap(Optional::stream).toList();
        assertTrue(all.toString(), all.contains(new AddressInfo(2, "ks-br0", IpPrefix.parse("fd7a:6b5c:9d01::1/64"),
                AddressInfo.SCOPE_GLOBAL)));
        assertTrue(all.toString(), all.contains(new AddressInfo(2, "ks-br0", IpPrefix.parse("10.77.0.1/24"),
                AddressInfo.SCOPE_GLOBAL)));
        assertTrue(all.toString(), all.contains(new AddressInfo(1, "lo", IpPrefix.parse("127.0.0.1/8"),
                AddressInfo.SCOPE_HOST)));
        assertTrue(all.toString(), all.contains(new AddressInfo(1, "lo", IpPrefix.parse("::1/128"),
                AddressInfo.SCOPE_HOST)));
    }

    @Test
    public void routeDumpFilteredToTable180() {
        List<Route> routes = data("route-dump-ipv6-table180", Rtnl.RTM_NEWROUTE).stream()
                .filter(m -> RouteMessages.table(m) == 180)
                .map(m -> RouteMessages.parse(m, NAMES)).flatMap(Optional::stream).toList();
        assertEquals(List.of(new Route(IpPrefix.parse("::/0"), "ks-br0", 180, 1, 1380)), routes);
    }

    @Test
    public void routeDumpOfMainHasTheConnectedPrefixes() {
        List<Route> main = data("route-dump-ipv6-table180", Rtnl.RTM_NEWROUTE).stream()
                .filter(m -> RouteMessages.table(m) == Rtnl.RT_TABLE_MAIN)
                .map(m -> RouteMessages.parse(m, NAMES)).flatMap(Optional::stream).toList();
        assertTrue(main.toString(), main.stream().anyMatch(r -> r.destination().equals(IpPrefix.parse("10.77.0.0/24"))));
        assertTrue(main.toString(),
                main.stream().anyMatch(r -> r.destination().equals(IpPrefix.parse("fd7a:6b5c:9d01::/64"))));
    }

    @Test
    public void ruleDumpListsOnlyRulesWithOurProtocol() {
        List<NetlinkMessage> all = data("rule-dump-ipv4", Rtnl.RTM_NEWRULE);
        assertEquals("local, 32500 (ours), main, default", 4, all.size());
        List<Rule> ours = all.stream().map(RuleMessages::parseOwn).flatMap(Optional::stream)
                .collect(Collectors.toList());
        assertEquals(List.of(Rule.builder(false).priority(32500).table(180).fwmark(0x20, 0x20).invert().build()), ours);
    }
}
