package dev.kubespan.net.internal;

import java.nio.ByteBuffer;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;

/**
 * RTM_*LINK requests and the decoding of RTM_NEWLINK. Links are addressed by name
 * (IFLA_IFNAME with index 0), which the kernel resolves itself, so no index lookup can race
 * with a rename or re-create.
 */
public final class LinkMessages {
    /** IFNAMSIZ - 1. */
    public static final int MAX_NAME_LENGTH = 15;

    private LinkMessages() {
    }

    public static NetlinkRequest dump() {
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_GETLINK, Netlink.NLM_F_DUMP, "list links"), 0, 0, 0);
    }

    public static NetlinkRequest get(String name) {
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_GETLINK, 0, "get link " + checkName(name)), 0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name);
    }

    public static NetlinkRequest create(String name, String kind) {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("link kind is empty");
        }
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                "create link " + checkName(name) + " of kind " + kind), 0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name)
                .beginNest(Rtnl.IFLA_LINKINFO)
                .attrString(Rtnl.IFLA_INFO_KIND, kind)
                .endNest();
    }

    public static NetlinkRequest setMtu(String name, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " out of range 68..65535");
        }
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_NEWLINK, 0, "set MTU " + mtu + " on link " + checkName(name)),
                0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name)
                .attrU32(Rtnl.IFLA_MTU, mtu);
    }

    public static NetlinkRequest setUp(String name, boolean up) {
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_NEWLINK, 0,
                "set link " + checkName(name) + (up ? " up" : " down")), 0, up ? Rtnl.IFF_UP : 0, Rtnl.IFF_UP)
                .attrString(Rtnl.IFLA_IFNAME, name);
    }

    public static NetlinkRequest delete(String name) {
        return ifinfomsg(new NetlinkRequest(Rtnl.RTM_DELLINK, 0, "delete link " + checkName(name)), 0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name);
    }

    /** Decodes an RTM_NEWLINK (dump entry, GET reply or notification). */
    public static LinkInfo parse(NetlinkMessage m) {
        if (m.type() != Rtnl.RTM_NEWLINK && m.type() != Rtnl.RTM_DELLINK) {
            throw new NetworkException("expected a link message, got netlink type " + m.type(), 0);
        }
        if (m.payload().length < Rtnl.IFINFOMSG_LEN) {
            throw new NetworkException("link message too short: " + m.payload().length + " bytes", 0);
        }
        ByteBuffer b = m.body();
        int type = Short.toUnsignedInt(b.getShort(2));
        int index = b.getInt(4);
        int flags = b.getInt(8);
        NetlinkAttributes a = m.attributes(Rtnl.IFINFOMSG_LEN);
        String name = a.string(Rtnl.IFLA_IFNAME).orElse("");
        String kind = a.nest(Rtnl.IFLA_LINKINFO).flatMap(li -> li.string(Rtnl.IFLA_INFO_KIND)).orElse("");
        String mac = a.bytes(Rtnl.IFLA_ADDRESS).map(LinkMessages::formatHardwareAddress).orElse("");
        int mtu = (int) a.u32(Rtnl.IFLA_MTU).orElse(0);
        return new LinkInfo(index, name, kind, type, mac, (flags & Rtnl.IFF_UP) != 0, mtu);
    }

    /** {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatHardwareAddress(byte[] address) {
        StringBuilder sb = new StringBuilder(address.length * 3);
        for (byte x : address) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.equals(".")
                || name.equals("..") || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':')) {
            throw new IllegalArgumentException("invalid link name '" + name + "' (1.." + MAX_NAME_LENGTH
                    + " printable characters, no '/', ':' or blanks)");
        }
        return name;
    }

    /** {@code struct ifinfomsg {u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change}}. */
    private static NetlinkRequest ifinfomsg(NetlinkRequest r, int index, int flags, int change) {
        return r.u8(Rtnl.AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }
}
