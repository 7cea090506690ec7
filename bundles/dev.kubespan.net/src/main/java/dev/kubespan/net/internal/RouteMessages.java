package dev.kubespan.net.internal;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.Route;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;

/**
 * RTM_*ROUTE requests and the decoding of RTM_NEWROUTE, for the gateway-less unicast routes
 * KubeSpan puts into its table (Talos: scope universe, protocol static, out the link). Tables
 * above 255 do not fit the rtmsg byte, so RTA_TABLE always carries the table.
 */
public final class RouteMessages {
    private RouteMessages() {
    }

    public static NetlinkRequest dump() {
        return new NetlinkRequest(Rtnl.RTM_GETROUTE, Netlink.NLM_F_DUMP, "list routes")
                .u8(Rtnl.AF_UNSPEC).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    /** Adds the route, replacing one with the same destination, table and metric. */
    public static NetlinkRequest add(Route route, int linkIndex) {
        NetlinkRequest r = rtmsg(new NetlinkRequest(Rtnl.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                "add route " + describe(route)), route, Rtnl.RTPROT_STATIC, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST);
        attributes(r, route, linkIndex);
        if (route.mtu() > 0) {
            r.beginNest(Rtnl.RTA_METRICS).attrU32(Rtnl.RTAX_MTU, route.mtu()).endNest();
        }
        return r;
    }

    /**
     * Deletes the route. Scope "nowhere", type and protocol 0 and no metrics are wildcards for
     * the kernel's match, so the route goes whatever those fields are.
     */
    public static NetlinkRequest delete(Route route, int linkIndex) {
        NetlinkRequest r = rtmsg(new NetlinkRequest(Rtnl.RTM_DELROUTE, 0, "remove route " + describe(route)), route,
                0, 255, 0);
        return attributes(r, route, linkIndex);
    }

    /**
     * Decodes an RTM_NEWROUTE into a {@link Route} if it is a unicast IPv4/IPv6 route out of a
     * link; other routes (local, broadcast, multipath, other families) are empty.
     */
    public static Optional<Route> parse(NetlinkMessage m, Map<Integer, String> linkNames) {
        if (m.type() != Rtnl.RTM_NEWROUTE && m.type() != Rtnl.RTM_DELROUTE) {
            throw new NetworkException("expected a route message, got netlink type " + m.type(), 0);
        }
        if (m.payload().length < Rtnl.RTMSG_LEN) {
            throw new NetworkException("route message too short: " + m.payload().length + " bytes", 0);
        }
        ByteBuffer b = m.body();
        int family = b.get(0) & 0xff;
        int dstLength = b.get(1) & 0xff;
        int headerTable = b.get(4) & 0xff;
        int type = b.get(7) & 0xff;
        if ((family != Rtnl.AF_INET && family != Rtnl.AF_INET6) || type != Rtnl.RTN_UNICAST) {
            return Optional.empty();
        }
        NetlinkAttributes a = m.attributes(Rtnl.RTMSG_LEN);
        if (!a.has(Rtnl.RTA_OIF)) {
            return Optional.empty();
        }
        int oif = (int) a.u32(Rtnl.RTA_OIF).getAsLong();
        byte[] dst = a.bytes(Rtnl.RTA_DST).orElse(new byte[family == Rtnl.AF_INET ? 4 : 16]);
        InetAddress destination = AddressMessages.toAddress(dst, family);
        int table = (int) a.u32(Rtnl.RTA_TABLE).orElse(headerTable);
        int metric = (int) a.u32(Rtnl.RTA_PRIORITY).orElse(0);
        long mtu = a.nest(Rtnl.RTA_METRICS).map(x -> x.u32(Rtnl.RTAX_MTU).orElse(0)).orElse(0L);
        return Optional.of(new Route(new IpPrefix(destination, dstLength), linkNames.getOrDefault(oif, ""), table,
                metric, (int) mtu));
    }

    /** The table a route message is in, from RTA_TABLE or the header byte. */
    public static int table(NetlinkMessage m) {
        return (int) m.attributes(Rtnl.RTMSG_LEN).u32(Rtnl.RTA_TABLE).orElse(m.body().get(4) & 0xff);
    }

    private static String describe(Route route) {
        return route.destination() + " dev " + route.link() + " table " + route.table() + " metric " + route.metric()
                + (route.mtu() > 0 ? " mtu " + route.mtu() : "");
    }

    /**
     * {@code struct rtmsg {u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags}}.
     */
    private static NetlinkRequest rtmsg(NetlinkRequest r, Route route, int protocol, int scope, int type) {
        if (route.table() <= 0) {
            throw new IllegalArgumentException("route table must be positive: " + route.table());
        }
        IpPrefix dst = route.destination();
        return r.u8(dst.isIpv4() ? Rtnl.AF_INET : Rtnl.AF_INET6).u8(dst.bits()).u8(0).u8(0)
                .u8(route.table() > 255 ? Rtnl.RT_TABLE_UNSPEC : route.table())
                .u8(protocol).u8(scope).u8(type).u32(0);
    }

    private static NetlinkRequest attributes(NetlinkRequest r, Route route, int linkIndex) {
        r.attrU32(Rtnl.RTA_TABLE, route.table());
        if (route.destination().bits() > 0) {
            r.attr(Rtnl.RTA_DST, route.destination().address().getAddress());
        }
        return r.attrU32(Rtnl.RTA_OIF, linkIndex).attrU32(Rtnl.RTA_PRIORITY, route.metric());
    }
}
