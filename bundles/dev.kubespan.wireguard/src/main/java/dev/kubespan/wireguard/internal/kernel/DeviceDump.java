package dev.kubespan.wireguard.internal.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.GenericNetlink;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkAttributes.Attribute;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.wireguard.internal.DeviceSnapshot;

/**
 * WG_CMD_GET_DEVICE: the dump request for one link, and the decoding of its replies
 * (docs/wireguard.md §5.3, §5.4).
 *
 * <p>The kernel spreads a large device over several messages: the first carries the device
 * attributes, later ones only the link name and more peers, and a peer whose allowed IPs do not
 * fit is repeated at the start of the next message with just its public key and the rest of its
 * allowed IPs. Peers are therefore merged by public key, in the order first seen, and a repeated
 * peer's attributes only add to what is known. Network data is not trusted: anything that does
 * not fit the attribute tables is a {@link WireGuardException} naming the link and the problem.
 */
public final class DeviceDump {
    private static final int NSEC_PER_SEC = 1_000_000_000;

    private DeviceDump() {
    }

    /** The dump request for {@code link}, by name (WGDEVICE_A_IFNAME). */
    public static NetlinkRequest request(int familyId, String link) {
        return GenericNetlink.request(familyId, WireGuardGenl.CMD_GET_DEVICE, WireGuardGenl.VERSION, Netlink.NLM_F_DUMP,
                "WireGuard get device " + link)
                .attrString(WireGuardGenl.DEVICE_IFNAME, link);
    }

    /** Merges the dump's data messages (in the order received) into one device. */
    public static DeviceSnapshot parse(String link, List<NetlinkMessage> messages) {
        try {
            return new Merge(link).addAll(messages).snapshot();
        } catch (NetworkException | IllegalArgumentException e) {
            if (e instanceof WireGuardException w) {
                throw w;
            }
            throw malformed(link, e.getMessage());
        }
    }

    static WireGuardException malformed(String link, String what) {
        return new WireGuardException("malformed WireGuard device dump for " + link + ": " + what, 0);
    }

    private static final class Merge {
        private final String link;
        private Key privateKey;
        private Key publicKey;
        private int listenPort;
        private int fwmark;
        private final Map<Key, PeerParts> peers = new LinkedHashMap<>();

        Merge(String link) {
            this.link = link;
        }

        Merge addAll(List<NetlinkMessage> messages) {
            if (messages.isEmpty()) {
                throw malformed(link, "the kernel sent no device message");
            }
            for (NetlinkMessage m : messages) {
                add(m);
            }
            return this;
        }

        private void add(NetlinkMessage m) {
            int cmd = GenericNetlink.command(m);
            if (cmd != WireGuardGenl.CMD_GET_DEVICE) {
                throw malformed(link, "reply has genl command " + cmd + ", expected WG_CMD_GET_DEVICE");
            }
            for (Attribute a : GenericNetlink.attributes(m).all()) {
                switch (a.type()) {
                case WireGuardGenl.DEVICE_IFNAME -> {
                    if (!a.string().equals(link)) {
                        throw malformed(link, "reply is for link '" + a.string() + "'");
                    }
                }
                case WireGuardGenl.DEVICE_PRIVATE_KEY -> privateKey = key(a, "private key");
                case WireGuardGenl.DEVICE_PUBLIC_KEY -> publicKey = key(a, "public key");
                case WireGuardGenl.DEVICE_LISTEN_PORT -> listenPort = a.u16();
                case WireGuardGenl.DEVICE_FWMARK -> fwmark = a.u32();
                case WireGuardGenl.DEVICE_PEERS -> {
                    for (Attribute element : a.nest().all()) {
                        addPeer(element.nest());
                    }
                }
                default -> {
                    // IFINDEX, the alignment pad (type 0), and attributes a newer kernel added
                }
                }
            }
        }

        private void addPeer(NetlinkAttributes p) {
            Attribute keyAttr = p.get(WireGuardGenl.PEER_PUBLIC_KEY)
                    .orElseThrow(() -> malformed(link, "peer without a public key"));
            Key key = key(keyAttr, "peer public key");
            PeerParts parts = peers.computeIfAbsent(key, PeerParts::new);
            for (Attribute a : p.all()) {
                switch (a.type()) {
                case WireGuardGenl.PEER_PRESHARED_KEY -> parts.presharedKey = key(a, "preshared key");
                case WireGuardGenl.PEER_ENDPOINT -> parts.endpoint = Sockaddr.decode(a.value());
                case WireGuardGenl.PEER_PERSISTENT_KEEPALIVE_INTERVAL -> parts.keepalive = a.u16();
                case WireGuardGenl.PEER_LAST_HANDSHAKE_TIME -> parts.lastHandshake = timespec(a);
                case WireGuardGenl.PEER_RX_BYTES -> parts.rx = a.u64();
                case WireGuardGenl.PEER_TX_BYTES -> parts.tx = a.u64();
                case WireGuardGenl.PEER_PROTOCOL_VERSION -> {
                    if (a.u32() != 1) {
                        throw malformed(link, "peer " + key.toBase64() + " has protocol version "
                                + a.u32Unsigned());
                    }
                }
                case WireGuardGenl.PEER_ALLOWEDIPS -> {
                    for (Attribute element : a.nest().all()) {
                        parts.allowed.add(allowedIp(element.nest()));
                    }
                }
                default -> {
                    // PUBLIC_KEY (done), the pad (type 0), newer attributes
                }
                }
            }
        }

        private IpPrefix allowedIp(NetlinkAttributes a) {
            int family = a.u16(WireGuardGenl.ALLOWEDIP_FAMILY)
                    .orElseThrow(() -> malformed(link, "allowed IP without a family"));
            byte[] ip = a.bytes(WireGuardGenl.ALLOWEDIP_IPADDR)
                    .orElseThrow(() -> malformed(link, "allowed IP without an address"));
            int bits = a.u8(WireGuardGenl.ALLOWEDIP_CIDR_MASK)
                    .orElseThrow(() -> malformed(link, "allowed IP without a prefix length"));
            int expected = family == WireGuardGenl.AF_INET ? 4 : family == WireGuardGenl.AF_INET6 ? 16 : -1;
            if (expected < 0 || ip.length != expected) {
                throw malformed(link, "allowed IP of family " + family + " with a " + ip.length + "-byte address");
            }
            try {
                return new IpPrefix(InetAddress.getByAddress(ip), bits);
            } catch (UnknownHostException e) {
                throw malformed(link, "allowed IP: " + e.getMessage());
            }
        }

        /** {@code struct __kernel_timespec {s64 tv_sec, s64 tv_nsec}}, wall clock; zero means never. */
        private Instant timespec(Attribute a) {
            byte[] v = a.value();
            if (v.length != 16) {
                throw malformed(link, "last handshake time has " + v.length + " bytes, expected 16");
            }
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            long sec = b.getLong(0);
            long nsec = b.getLong(8);
            if (sec == 0 && nsec == 0) {
                return null;
            }
            if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) {
                throw malformed(link, "last handshake time " + sec + " s " + nsec + " ns is not a valid time");
            }
            return Instant.ofEpochSecond(sec, nsec);
        }

        private Key key(Attribute a, String what) {
            if (a.value().length != Key.LENGTH) {
                throw malformed(link, what + " has " + a.value().length + " bytes, expected " + Key.LENGTH);
            }
            return Key.fromBytes(a.value());
        }

        DeviceSnapshot snapshot() {
            List<DevicePeer> states = new ArrayList<>(peers.size());
            Map<Key, Key> psks = new HashMap<>();
            for (PeerParts p : peers.values()) {
                boolean hasPsk = p.presharedKey != null && !p.presharedKey.isZero();
                if (hasPsk) {
                    psks.put(p.publicKey, p.presharedKey);
                }
                states.add(new DevicePeer(p.publicKey, hasPsk, p.endpoint, p.lastHandshake, p.rx, p.tx,
                        Duration.ofSeconds(p.keepalive), p.allowed));
            }
            Key priv = privateKey == null || privateKey.isZero() ? null : privateKey;
            Key pub = publicKey != null && !publicKey.isZero() ? publicKey : priv == null ? null : priv.publicKey();
            return new DeviceSnapshot(new DeviceState(link, priv == null ? null : pub, listenPort, fwmark, states), priv,
                    psks);
        }
    }

    private static final class PeerParts {
        final Key publicKey;
        Key presharedKey;
        Endpoint endpoint;
        int keepalive;
        Instant lastHandshake;
        long rx;
        long tx;
        final List<IpPrefix> allowed = new ArrayList<>();

        PeerParts(Key publicKey) {
            this.publicKey = publicKey;
        }
    }
}
