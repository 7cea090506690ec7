package dev.kubespan.wireguard.internal.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.net.netlink.GenericNetlink;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.PeerChange;

/**
 * Renders a {@link DeviceChange} as WG_CMD_SET_DEVICE messages (docs/wireguard.md §5.3, §5.4), split
 * so that no message is longer than {@code maxMessage} bytes.
 *
 * <p>The first message carries the device attributes (private key, listen port, fwmark, and
 * REPLACE_PEERS when asked). Peers follow in order; when the next peer does not fit, a new
 * message starts with only the link name and more peers. When a peer's allowed IPs do not fit,
 * its nest is closed and the next message repeats the peer with only its public key and the rest
 * of the list. Flags go only into a peer's first fragment: REPLACE_ALLOWEDIPS in a continuation
 * would throw away the allowed IPs the earlier fragment just added, and REPLACE_PEERS in a later
 * message would drop the peers of the earlier ones.
 *
 * <p>Sizes are tracked while writing (each attribute is 4 bytes of header plus its value padded
 * to 4), so a message never has to be built twice.
 *
 * <p>The messages carry the private key when it changes: they go to the kernel only, never to a
 * log; their descriptions (used in error messages) name only the link and the fragment.
 */
public final class SetDeviceMessages {
    /**
     * What wg(8) uses (libmnl's socket buffer size: one page, at most 8 KiB): small enough for
     * any kernel's receive path, large enough for about 20 peers per message.
     */
    public static final int DEFAULT_MAX_MESSAGE = 4096;
    /** Room for the headers, the link name and the largest peer head with one allowed IP. */
    public static final int MIN_MAX_MESSAGE = 256;
    private static final int HEADER = Netlink.NLMSG_HDRLEN + GenericNetlink.GENL_HDRLEN;
    private static final int NEST = Netlink.NLA_HDRLEN;
    private static final int MAX_KEEPALIVE = 65535;

    private SetDeviceMessages() {
    }

    /**
     * @param replacePeers sets WGDEVICE_F_REPLACE_PEERS (in the first message only): every peer not
     *     in this change is removed
     * @return at least one message; apply them in order
     */
    public static List<NetlinkRequest> encode(int familyId, String link, DeviceChange change, boolean replacePeers,
            int maxMessage) {
        if (maxMessage < MIN_MAX_MESSAGE) {
            throw new IllegalArgumentException("maximum message size " + maxMessage + " is below " + MIN_MAX_MESSAGE);
        }
        return new Writer(familyId, link, maxMessage).write(change, replacePeers);
    }

    public static List<NetlinkRequest> encode(int familyId, String link, DeviceChange change) {
        return encode(familyId, link, change, false, DEFAULT_MAX_MESSAGE);
    }

    /** The encoded length of an attribute with a {@code valueLength}-byte value. */
    static int attr(int valueLength) {
        return Netlink.NLA_HDRLEN + Netlink.align(valueLength);
    }

    private static final class Writer {
        private final int familyId;
        private final String link;
        private final int max;
        private final int nameAttr;
        private final List<NetlinkRequest> out = new ArrayList<>();
        private NetlinkRequest message;
        private int size;
        private boolean peersOpen;
        private boolean hasContent;

        Writer(int familyId, String link, int max) {
            this.familyId = familyId;
            this.link = link;
            this.max = max;
            this.nameAttr = attr(link.getBytes(StandardCharsets.UTF_8).length + 1);
        }

        List<NetlinkRequest> write(DeviceChange change, boolean replacePeers) {
            start();
            if (change.privateKey() != null) {
                message.attr(WireGuardGenl.DEVICE_PRIVATE_KEY, change.privateKey().bytes());
                size += attr(32);
                hasContent = true;
            }
            if (change.listenPort() != null) {
                int port = change.listenPort();
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("listen port " + port + " is outside 0..65535");
                }
                message.attrU16(WireGuardGenl.DEVICE_LISTEN_PORT, port);
                size += attr(2);
                hasContent = true;
            }
            if (change.fwmark() != null) {
                message.attrU32(WireGuardGenl.DEVICE_FWMARK, Integer.toUnsignedLong(change.fwmark()));
                size += attr(4);
                hasContent = true;
            }
            if (replacePeers) {
                message.attrU32(WireGuardGenl.DEVICE_FLAGS, WireGuardGenl.DEVICE_F_REPLACE_PEERS);
                size += attr(4);
                hasContent = true;
            }
            for (PeerChange p : change.peers()) {
                peer(p);
            }
            finish();
            return List.copyOf(out);
        }

        private void start() {
            message = GenericNetlink.request(familyId, WireGuardGenl.CMD_SET_DEVICE, WireGuardGenl.VERSION, 0,
                    "WireGuard set device " + link)
                    .attrString(WireGuardGenl.DEVICE_IFNAME, link);
            size = HEADER + nameAttr;
            peersOpen = false;
            hasContent = false;
        }

        private void finish() {
            if (peersOpen) {
                message.endNest();
                peersOpen = false;
            }
            out.add(message);
        }

        private void next() {
            finish();
            start();
        }

        private void openPeers() {
            if (!peersOpen) {
                message.beginNest(WireGuardGenl.DEVICE_PEERS);
                size += NEST;
                peersOpen = true;
            }
        }

        private void peer(PeerChange p) {
            Head head = Head.of(p);
            boolean takesIps = p.kind() == PeerChange.Kind.ADD || p.kind() == PeerChange.Kind.UPDATE;
            List<IpPrefix> ips = !takesIps || p.allowedIPs() == null ? List.of() : p.allowedIPs();
            int first = head.size + (ips.isEmpty() ? 0 : NEST + allowedIp(ips.get(0)));
            if (size + (peersOpen ? 0 : NEST) + first > max && hasContent) {
                next();
            }
            if (size + (peersOpen ? 0 : NEST) + first > max) {
                throw new IllegalArgumentException("a peer does not fit into a " + max + "-byte message");
            }
            openPeers();
            message.beginNest(0);
            head.write(message);
            size += head.size;
            hasContent = true;
            if (!ips.isEmpty()) {
                message.beginNest(WireGuardGenl.PEER_ALLOWEDIPS);
                size += NEST;
                for (IpPrefix ip : ips) {
                    int need = allowedIp(ip);
                    if (size + need > max) {
                        // close allowed IPs, the peer and the peer list; repeat the peer by key only
                        message.endNest().endNest();
                        next();
                        openPeers();
                        message.beginNest(0).attr(WireGuardGenl.PEER_PUBLIC_KEY, p.publicKey().bytes())
                                .beginNest(WireGuardGenl.PEER_ALLOWEDIPS);
                        size += NEST + attr(32) + NEST;
                        hasContent = true;
                    }
                    writeAllowedIp(ip);
                    size += need;
                }
                message.endNest();
            }
            message.endNest();
        }

        private void writeAllowedIp(IpPrefix ip) {
            IpPrefix masked = ip.masked();
            message.beginNest(0)
                    .attrU16(WireGuardGenl.ALLOWEDIP_FAMILY, masked.isIpv4() ? WireGuardGenl.AF_INET : WireGuardGenl.AF_INET6)
                    .attr(WireGuardGenl.ALLOWEDIP_IPADDR, masked.address().getAddress())
                    .attrU8(WireGuardGenl.ALLOWEDIP_CIDR_MASK, masked.bits())
                    .endNest();
        }
    }

    /** One allowed IP nest: FAMILY (u16), IPADDR (4 or 16 bytes), CIDR_MASK (u8). */
    static int allowedIp(IpPrefix ip) {
        return NEST + attr(2) + attr(ip.isIpv4() ? 4 : 16) + attr(1);
    }

    /** A peer's first fragment up to its allowed IPs: what to write and how long it is. */
    private record Head(PeerChange peer, int flags, boolean keepalive, int size) {

        static Head of(PeerChange p) {
            int flags = switch (p.kind()) {
            case REMOVE -> WireGuardGenl.PEER_F_REMOVE_ME;
            case ADD, UPDATE -> p.allowedIPs() != null ? WireGuardGenl.PEER_F_REPLACE_ALLOWEDIPS : 0;
            };
            boolean details = p.kind() != PeerChange.Kind.REMOVE;
            boolean keepalive = details && p.persistentKeepalive() != null
                    && (p.kind() == PeerChange.Kind.UPDATE || !p.persistentKeepalive().isZero());
            if (keepalive) {
                long s = p.persistentKeepalive().getSeconds();
                if (s < 0 || s > MAX_KEEPALIVE) {
                    throw new IllegalArgumentException("persistent keepalive " + s + " s is outside 0.." + MAX_KEEPALIVE);
                }
            }
            int size = NEST + attr(32);
            if (flags != 0) {
                size += attr(4);
            }
            if (details && p.presharedKey() != null) {
                size += attr(32);
            }
            if (details && p.endpoint() != null) {
                size += attr(Sockaddr.encode(p.endpoint()).length);
            }
            if (keepalive) {
                size += attr(2);
            }
            return new Head(p, flags, keepalive, size);
        }

        /** Writes the attributes after the (already opened) peer nest. */
        void write(NetlinkRequest m) {
            boolean details = peer.kind() != PeerChange.Kind.REMOVE;
            m.attr(WireGuardGenl.PEER_PUBLIC_KEY, peer.publicKey().bytes());
            if (flags != 0) {
                m.attrU32(WireGuardGenl.PEER_FLAGS, flags);
            }
            if (details && peer.presharedKey() != null) {
                m.attr(WireGuardGenl.PEER_PRESHARED_KEY, peer.presharedKey().bytes());
            }
            if (details && peer.endpoint() != null) {
                m.attr(WireGuardGenl.PEER_ENDPOINT, Sockaddr.encode(peer.endpoint()));
            }
            if (keepalive) {
                m.attrU16(WireGuardGenl.PEER_PERSISTENT_KEEPALIVE_INTERVAL, (int) peer.persistentKeepalive().getSeconds());
            }
        }
    }
}
