package dev.kubespan.wireguard.internal.kernel;

import static dev.kubespan.test.Hex.hex;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.net.netlink.GenericNetlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkAttributes.Attribute;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.PeerChange;

/**
 * WG_CMD_SET_DEVICE byte for byte. The expected bytes were written by hand from the attribute
 * tables in docs/wireguard.md §5.1-§5.3 (x86-64, little-endian: integers in host order, ports and
 * addresses in network order), not produced by the code under test; comments give each field.
 * Family id 0x15 stands for whatever the kernel assigns.
 */
public class SetDeviceMessagesTest {
    static final int FAMILY = 0x15;

    @BeforeClass
    public static void littleEndian() {
        org.junit.Assume.assumeTrue("vectors are little-endian", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    static Key key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return Key.fromBytes(k);
    }

    static String rep(String byteHex, int times) {
        return byteHex.repeat(times);
    }

    @Test
    public void deviceAndThreePeerKinds() {
        DeviceChange change = new DeviceChange(key(0x11), 51820, 0x20, List.of(
                new PeerChange(PeerChange.Kind.ADD, key(0x22), key(0x33), Endpoint.parse("192.0.2.1:51820"),
                        Duration.ofSeconds(25), List.of(IpPrefix.parse("fd7a:6b5c:9d01::2/128"),
                                IpPrefix.parse("10.99.0.0/24"))),
                new PeerChange(PeerChange.Kind.UPDATE, key(0x44), null, Endpoint.parse("[2001:db8::1]:51821"), null,
                        null),
                PeerChange.remove(key(0x55))));
        String expected = ""
                // nlmsghdr: len 388, type = family, flags REQUEST|ACK, seq 2, port 0
                + "84010000 1500 0500 02000000 00000000"
                // genlmsghdr: cmd WG_CMD_SET_DEVICE, version 1
                + "| 01 01 0000"
                + "| 08000200 77673000" // WGDEVICE_A_IFNAME "wg0"
                + "| 24000300" + rep("11", 32) // WGDEVICE_A_PRIVATE_KEY
                + "| 06000600 6cca 0000" // WGDEVICE_A_LISTEN_PORT u16 51820 + pad
                + "| 08000700 20000000" // WGDEVICE_A_FWMARK 0x20
                + "| 34010880" // WGDEVICE_A_PEERS, nested, 308 bytes
                + "|   b8000080" // peer element (type 0, nested), 184 bytes
                + "|     24000100" + rep("22", 32) // WGPEER_A_PUBLIC_KEY
                + "|     08000300 02000000" // WGPEER_A_FLAGS REPLACE_ALLOWEDIPS
                + "|     24000200" + rep("33", 32) // WGPEER_A_PRESHARED_KEY
                // WGPEER_A_ENDPOINT sockaddr_in {family 2 (host), port 51820 (net), 192.0.2.1, zero[8]}
                + "|     14000400 0200 ca6c c0000201 00000000 00000000"
                + "|     06000500 1900 0000" // WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL u16 25 + pad
                + "|     48000980" // WGPEER_A_ALLOWEDIPS, nested, 72 bytes
                + "|       28000080 06000100 0a00 0000" // element; WGALLOWEDIP_A_FAMILY AF_INET6
                + "|         14000200 fd7a6b5c 9d010000 00000000 00000002" // WGALLOWEDIP_A_IPADDR
                + "|         05000300 80 000000" // WGALLOWEDIP_A_CIDR_MASK 128
                + "|       1c000080 06000100 0200 0000 08000200 0a630000 05000300 18 000000" // 10.99.0.0/24
                + "|   48000080" // second peer, 72 bytes: an update of the endpoint only, no flags
                + "|     24000100" + rep("44", 32)
                // ENDPOINT sockaddr_in6 {family 10, port 51821, flowinfo 0, 2001:db8::1, scope 0}
                + "|     20000400 0a00 ca6d 00000000 20010db8 00000000 00000000 00000001 00000000"
                + "|   30000080" // third peer, 48 bytes
                + "|     24000100" + rep("55", 32)
                + "|     08000300 01000000"; // FLAGS REMOVE_ME
        List<NetlinkRequest> messages = SetDeviceMessages.encode(FAMILY, "wg0", change);
        assertEquals(1, messages.size());
        assertEquals(hex(hex(expected)), hex(messages.get(0).encode(2, 0)));
    }

    @Test
    public void replacePeersAndClearingPresharedKeyAndKeepalive() {
        DeviceChange change = new DeviceChange(null, null, null, List.of(new PeerChange(PeerChange.Kind.UPDATE,
                key(0x22), key(0), null, Duration.ZERO, List.of())));
        // 132 bytes: header 20, IFNAME 8, FLAGS 8, PEERS 4 + peer (4 + 36 + 8 + 36 + 8 = 92)
        String expected = "84000000 1500 0500 01000000 00000000 | 01010000 | 08000200 77673000"
                + "| 08000500 01000000" // WGDEVICE_A_FLAGS REPLACE_PEERS
                + "| 60000880 | 5c000080"
                + "| 24000100" + rep("22", 32)
                + "| 08000300 02000000" // REPLACE_ALLOWEDIPS with no list: clears them
                + "| 24000200" + rep("00", 32) // zero preshared key removes it
                + "| 06000500 0000 0000"; // keepalive 0 turns it off
        List<NetlinkRequest> messages = SetDeviceMessages.encode(FAMILY, "wg0", change, true,
                SetDeviceMessages.DEFAULT_MAX_MESSAGE);
        assertEquals(hex(hex(expected)), hex(messages.get(0).encode(1, 0)));
    }

    static String v4HostNest(int last) {
        // element 28 bytes: FAMILY AF_INET, IPADDR 10.0.0.<last>, CIDR_MASK 32
        return "| 1c000080 06000100 0200 0000 08000200 0a0000" + String.format("%02x", last) + " 05000300 20 000000";
    }

    @Test
    public void peerWithManyAllowedIpsIsSplitAndOnlyTheFirstFragmentHasFlags() {
        List<IpPrefix> ips = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ips.add(IpPrefix.parse("10.0.0." + i + "/32"));
        }
        DeviceChange change = DeviceChange.ofPeers(List.of(new PeerChange(PeerChange.Kind.ADD, key(0x22), null, null,
                Duration.ofSeconds(25), ips)));
        // 256-byte messages: 92 bytes of headers, peer head and list nest leave room for 5 elements
        // of 28 bytes (232); the continuation (76 bytes before its elements) takes the other 3.
        StringBuilder first = new StringBuilder("e8000000 1500 0500 03000000 00000000 | 01010000 | 08000200 77673000"
                + "| cc000880 | c8000080 | 24000100" + rep("22", 32)
                + "| 08000300 02000000 | 06000500 1900 0000 | 90000980");
        for (int i = 1; i <= 5; i++) {
            first.append(v4HostNest(i));
        }
        // continuation: link name, peer list, the peer by public key only, its remaining allowed IPs
        StringBuilder second = new StringBuilder("a0000000 1500 0500 04000000 00000000 | 01010000 | 08000200 77673000"
                + "| 84000880 | 80000080 | 24000100" + rep("22", 32) + "| 58000980");
        for (int i = 6; i <= 8; i++) {
            second.append(v4HostNest(i));
        }
        List<NetlinkRequest> messages = SetDeviceMessages.encode(FAMILY, "wg0", change, false, 256);
        assertEquals(2, messages.size());
        assertEquals(hex(hex(first.toString())), hex(messages.get(0).encode(3, 0)));
        assertEquals(hex(hex(second.toString())), hex(messages.get(1).encode(4, 0)));
    }

    @Test
    public void thousandPeersFitTheLimitAndReassembleInOrder() {
        List<PeerChange> peers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) (i >> 8);
            k[1] = (byte) i;
            k[31] = 1;
            List<IpPrefix> ips = new ArrayList<>();
            int count = i == 500 ? 1000 : 1 + i % 3;
            for (int j = 0; j < count; j++) {
                ips.add(j % 2 == 0 ? IpPrefix.parse("fd00:" + Integer.toHexString(i) + "::" + Integer.toHexString(j) + "/128")
                        : IpPrefix.parse("10." + (i >> 8) + "." + (i & 255) + "." + (j & 255) + "/32"));
            }
            Endpoint e = i % 2 == 0 ? Endpoint.parse("192.0.2." + (i % 250 + 1) + ":51820")
                    : Endpoint.parse("[2001:db8::" + Integer.toHexString(i) + "]:51820");
            PeerChange.Kind kind = i % 97 == 0 ? PeerChange.Kind.REMOVE : PeerChange.Kind.ADD;
            peers.add(kind == PeerChange.Kind.REMOVE ? PeerChange.remove(Key.fromBytes(k))
                    : new PeerChange(kind, Key.fromBytes(k), i % 5 == 0 ? key(0x33) : null, e,
                            Duration.ofSeconds(i % 60), ips));
        }
        DeviceChange change = new DeviceChange(key(0x11), 51820, 0x20, peers);
        List<NetlinkRequest> messages = SetDeviceMessages.encode(FAMILY, "kubespan", change, true,
                SetDeviceMessages.DEFAULT_MAX_MESSAGE);
        assertTrue("splits into several messages, got " + messages.size(), messages.size() > 40);

        Map<Key, List<IpPrefix>> allowed = new LinkedHashMap<>();
        Map<Key, Integer> firstFlags = new LinkedHashMap<>();
        Set<Key> seen = new HashSet<>();
        for (int m = 0; m < messages.size(); m++) {
            byte[] bytes = messages.get(m).encode(m + 1, 0);
            assertTrue("message " + m + " has " + bytes.length + " bytes", bytes.length <= 4096);
            NetlinkMessage msg = NetlinkMessage.parseAll(bytes, bytes.length).get(0);
            NetlinkAttributes a = GenericNetlink.attributes(msg);
            assertEquals("kubespan", a.string(WireGuardGenl.DEVICE_IFNAME).orElseThrow());
            for (int type : new int[] {WireGuardGenl.DEVICE_PRIVATE_KEY, WireGuardGenl.DEVICE_LISTEN_PORT,
                    WireGuardGenl.DEVICE_FWMARK, WireGuardGenl.DEVICE_FLAGS}) {
                assertEquals("device attribute " + type + " in message " + m, m == 0, a.has(type));
            }
            for (Attribute element : a.nest(WireGuardGenl.DEVICE_PEERS).map(NetlinkAttributes::all).orElse(List.of())) {
                NetlinkAttributes p = element.nest();
                Key k = Key.fromBytes(p.bytes(WireGuardGenl.PEER_PUBLIC_KEY).orElseThrow());
                if (seen.add(k)) {
                    firstFlags.put(k, (int) p.u32(WireGuardGenl.PEER_FLAGS).orElse(0));
                } else {
                    // a continuation: the key and allowed IPs only, no flags
                    assertEquals(Set.of(WireGuardGenl.PEER_PUBLIC_KEY, WireGuardGenl.PEER_ALLOWEDIPS),
                            Set.copyOf(p.all().stream().map(Attribute::type).toList()));
                }
                for (Attribute ip : p.nest(WireGuardGenl.PEER_ALLOWEDIPS).map(NetlinkAttributes::all).orElse(List.of())) {
                    NetlinkAttributes ipa = ip.nest();
                    allowed.computeIfAbsent(k, x -> new ArrayList<>()).add(new IpPrefix(
                            toAddress(ipa.bytes(WireGuardGenl.ALLOWEDIP_IPADDR).orElseThrow()),
                            ipa.u8(WireGuardGenl.ALLOWEDIP_CIDR_MASK).orElseThrow()));
                }
            }
        }
        assertEquals(1000, seen.size());
        for (PeerChange p : peers) {
            if (p.kind() == PeerChange.Kind.REMOVE) {
                assertEquals(Integer.valueOf(WireGuardGenl.PEER_F_REMOVE_ME), firstFlags.get(p.publicKey()));
                assertFalse(allowed.containsKey(p.publicKey()));
            } else {
                assertEquals(Integer.valueOf(WireGuardGenl.PEER_F_REPLACE_ALLOWEDIPS), firstFlags.get(p.publicKey()));
                assertEquals(p.allowedIPs(), allowed.get(p.publicKey()));
            }
        }
    }

    private static java.net.InetAddress toAddress(byte[] b) {
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void badValuesAreRejectedBeforeAnythingIsSent() {
        assertThrows(IllegalArgumentException.class, () -> SetDeviceMessages.encode(FAMILY, "wg0",
                new DeviceChange(null, 70000, null, List.of())));
        assertThrows(IllegalArgumentException.class, () -> SetDeviceMessages.encode(FAMILY, "wg0",
                DeviceChange.ofPeers(List.of(new PeerChange(PeerChange.Kind.ADD, key(1), null, null,
                        Duration.ofSeconds(70000), List.of())))));
        assertThrows(IllegalArgumentException.class, () -> SetDeviceMessages.encode(FAMILY, "wg0", DeviceChange.NONE,
                false, 100));
    }

    @Test
    public void descriptionsNeverCarryKeys() {
        DeviceChange change = new DeviceChange(key(0x11), null, null, List.of(new PeerChange(PeerChange.Kind.ADD,
                key(0x22), key(0x33), null, null, List.of())));
        String d = SetDeviceMessages.encode(FAMILY, "wg0", change).get(0).description();
        assertEquals("WireGuard set device wg0", d);
    }
}
