package dev.kubespan.net.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;

/**
 * RTM_*ADDR requests and the decoding of RTM_NEWADDR. IPv6 addresses are added with
 * IFA_F_NODAD: the KubeSpan address is unique by construction, and duplicate address detection
 * would hold it "tentative" (unusable as a source) for a second or more. Without IFA_CACHEINFO
 * lifetimes the kernel makes every added address permanent.
 */
public final class AddressMessages {
    private AddressMessages() {
    }

    public static NetlinkRequest dump() {
        return new NetlinkRequest(Rtnl.RTM_GETADDR, Netlink.NLM_F_DUMP, "list addresses")
                .u8(Rtnl.AF_UNSPEC).u8(0).u8(0).u8(0).u32(0);
    }

    public static NetlinkRequest add(String linkName, int linkIndex, IpPrefix address) {
        int flags = address.isIpv4() ? 0 : Rtnl.IFA_F_NODAD;
        return body(new NetlinkRequest(Rtnl.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                "add address " + address + " to link " + linkName), linkIndex, address, flags);
    }

    public static NetlinkRequest delete(String linkName, int linkIndex, IpPrefix address) {
        return body(new NetlinkRequest(Rtnl.RTM_DELADDR, 0, "remove address " + address + " from link " + linkName),
                linkIndex, address, 0);
    }

    /**
     * Decodes an RTM_NEWADDR; {@code linkNames} maps indexes to names. Empty for families
     * other than IPv4/IPv6.
     */
    public static Optional<AddressInfo> parse(NetlinkMessage m, Map<Integer, String> linkNames) {
        if (m.type() != Rtnl.RTM_NEWADDR && m.type() != Rtnl.RTM_DELADDR) {
            throw new NetworkException("expected an address message, got netlink type " + m.type(), 0);
        }
        if (m.payload().length < Rtnl.IFADDRMSG_LEN) {
            throw new NetworkException("address message too short: " + m.payload().length + " bytes", 0);
        }
        ByteBuffer b = m.body();
        int family = b.get(0) & 0xff;
        if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
            return Optional.empty();
        }
        int prefixLength = b.get(1) & 0xff;
        int scope = b.get(3) & 0xff;
        int index = b.getInt(4);
        NetlinkAttributes a = m.attributes(Rtnl.IFADDRMSG_LEN);
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        byte[] raw = a.bytes(Rtnl.IFA_LOCAL).or(() -> a.bytes(Rtnl.IFA_ADDRESS))
                .orElseThrow(() -> new NetworkException("address message without IFA_LOCAL/IFA_ADDRESS", 0));
        InetAddress ip = toAddress(raw, family);
        return Optional.of(new AddressInfo(index, linkNames.getOrDefault(index, ""), new IpPrefix(ip, prefixLength),
                scope));
    }

    static InetAddress toAddress(byte[] raw, int family) {
        int expected = family == Rtnl.AF_INET ? 4 : 16;
        if (raw.length != expected) {
            throw new NetworkException("address of family " + family + " has " + raw.length + " bytes", 0);
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new NetworkException("bad address bytes", e);
        }
    }

    /** {@code struct ifaddrmsg {u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index}} + IFA_LOCAL + IFA_ADDRESS. */
    private static NetlinkRequest body(NetlinkRequest r, int index, IpPrefix address, int flags) {
        byte[] ip = address.address().getAddress();
        r.u8(address.isIpv4() ? Rtnl.AF_INET : Rtnl.AF_INET6).u8(address.bits()).u8(flags & 0xff)
                .u8(Rtnl.RT_SCOPE_UNIVERSE).u32(index)
                .attr(Rtnl.IFA_LOCAL, ip)
                .attr(Rtnl.IFA_ADDRESS, ip);
        if (flags > 0xff) {
            r.attrU32(Rtnl.IFA_FLAGS, flags);
        }
        return r;
    }
}
