package dev.kubespan.net.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;

/**
 * RTM_*RULE requests and the decoding of RTM_NEWRULE. Every rule we add carries
 * FRA_PROTOCOL = {@link #KUBESPAN_PROTOCOL}, so after a restart or a bundle update the rules we
 * own can be told apart from the kernel's defaults (protocol 2) and from rules an administrator
 * added ({@code ip rule} uses 0, or 4 "static" with {@code proto static}).
 */
public final class RuleMessages {
    /**
     * KubeSpan's routing protocol tag, 75 (ASCII 'K'). Not in iproute2's {@code rt_protos} list
     * (0-4 kernel, 8-18 and 42, 99, 186-192 routing daemons); {@code ip rule} shows it as
     * {@code proto 75}.
     */
    public static final int KUBESPAN_PROTOCOL = 75;

    private RuleMessages() {
    }

    public static NetlinkRequest dump(boolean ipv6) {
        return new NetlinkRequest(Rtnl.RTM_GETRULE, Netlink.NLM_F_DUMP, "list " + (ipv6 ? "IPv6" : "IPv4") + " rules")
                .u8(Rtnl.family(ipv6)).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    /** Adds the rule; an identical rule gives EEXIST (NLM_F_EXCL), since the kernel would accept duplicates. */
    public static NetlinkRequest add(Rule rule) {
        return body(new NetlinkRequest(Rtnl.RTM_NEWRULE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                "add rule " + describe(rule)), rule);
    }

    public static NetlinkRequest delete(Rule rule) {
        return body(new NetlinkRequest(Rtnl.RTM_DELRULE, 0, "remove rule " + describe(rule)), rule);
    }

    /** Decodes an RTM_NEWRULE if it carries our protocol tag and is a table lookup; otherwise empty. */
    public static Optional<Rule> parseOwn(NetlinkMessage m) {
        if (m.type() != Rtnl.RTM_NEWRULE && m.type() != Rtnl.RTM_DELRULE) {
            throw new NetworkException("expected a rule message, got netlink type " + m.type(), 0);
        }
        if (m.payload().length < Rtnl.FIB_RULE_HDR_LEN) {
            throw new NetworkException("rule message too short: " + m.payload().length + " bytes", 0);
        }
        ByteBuffer b = m.body();
        int family = b.get(0) & 0xff;
        int headerTable = b.get(4) & 0xff;
        int action = b.get(7) & 0xff;
        int flags = b.getInt(8);
        NetlinkAttributes a = m.attributes(Rtnl.FIB_RULE_HDR_LEN);
        if ((family != Rtnl.AF_INET && family != Rtnl.AF_INET6) || action != Rtnl.FR_ACT_TO_TBL
                || a.u8(Rtnl.FRA_PROTOCOL).orElse(0) != KUBESPAN_PROTOCOL) {
            return Optional.empty();
        }
        return Optional.of(new Rule(family == Rtnl.AF_INET6,
                (int) a.u32(Rtnl.FRA_PRIORITY).orElse(0),
                (int) a.u32(Rtnl.FRA_TABLE).orElse(headerTable),
                a.u32(Rtnl.FRA_FWMARK).orElse(0),
                a.u32(Rtnl.FRA_FWMASK).orElse(0),
                (flags & Rtnl.FIB_RULE_INVERT) != 0,
                a.u8(Rtnl.FRA_IP_PROTO).orElse(0),
                a.bytes(Rtnl.FRA_SPORT_RANGE).map(RuleMessages::portRange).orElse(null),
                a.bytes(Rtnl.FRA_DPORT_RANGE).map(RuleMessages::portRange).orElse(null)));
    }

    public static String describe(Rule r) {
        StringBuilder sb = new StringBuilder(r.ipv6() ? "-6 " : "-4 ");
        if (r.invert()) {
            sb.append("not ");
        }
        if (r.fwmask() != 0) {
            sb.append("fwmark 0x").append(Long.toHexString(r.fwmark())).append("/0x")
                    .append(Long.toHexString(r.fwmask())).append(' ');
        }
        if (r.ipProto() != 0) {
            sb.append("ipproto ").append(r.ipProto()).append(' ');
        }
        if (r.sport() != null) {
            sb.append("sport ").append(ports(r.sport())).append(' ');
        }
        if (r.dport() != null) {
            sb.append("dport ").append(ports(r.dport())).append(' ');
        }
        return sb.append("lookup ").append(r.table()).append(" pref ").append(r.priority()).toString();
    }

    /**
     * {@code struct fib_rule_hdr {u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags}}
     * then FRA_PRIORITY, FRA_FWMARK/FRA_FWMASK, FRA_TABLE, FRA_IP_PROTO, port ranges, FRA_PROTOCOL.
     */
    private static NetlinkRequest body(NetlinkRequest r, Rule rule) {
        if (rule.table() <= 0) {
            throw new IllegalArgumentException("rule table must be positive: " + rule.table());
        }
        if (rule.priority() < 0) {
            throw new IllegalArgumentException("rule priority must not be negative: " + rule.priority());
        }
        r.u8(Rtnl.family(rule.ipv6())).u8(0).u8(0).u8(0)
                .u8(rule.table() > 255 ? Rtnl.RT_TABLE_UNSPEC : rule.table()).u8(0).u8(0).u8(Rtnl.FR_ACT_TO_TBL)
                .u32(rule.invert() ? Rtnl.FIB_RULE_INVERT : 0)
                .attrU32(Rtnl.FRA_PRIORITY, rule.priority());
        if (rule.fwmask() != 0) {
            r.attrU32(Rtnl.FRA_FWMARK, rule.fwmark()).attrU32(Rtnl.FRA_FWMASK, rule.fwmask());
        }
        r.attrU32(Rtnl.FRA_TABLE, rule.table());
        if (rule.ipProto() != 0) {
            r.attrU8(Rtnl.FRA_IP_PROTO, rule.ipProto());
        }
        if (rule.sport() != null) {
            r.attr(Rtnl.FRA_SPORT_RANGE, portRange(rule.sport()));
        }
        if (rule.dport() != null) {
            r.attr(Rtnl.FRA_DPORT_RANGE, portRange(rule.dport()));
        }
        return r.attrU8(Rtnl.FRA_PROTOCOL, KUBESPAN_PROTOCOL);
    }

    /** {@code struct fib_rule_port_range {u16 start, u16 end}}, host order. */
    private static byte[] portRange(PortRange p) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) p.from()).putShort((short) p.to())
                .array();
    }

    private static PortRange portRange(byte[] raw) {
        if (raw.length != 4) {
            throw new NetworkException("port range attribute has " + raw.length + " bytes, expected 4", 0);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        return new PortRange(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()));
    }

    private static String ports(PortRange p) {
        return p.from() == p.to() ? Integer.toString(p.from()) : p.from() + "-" + p.to();
    }
}
