package dev.kubespan.net.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.sun.jna.Memory;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.internal.AddressMessages;
import dev.kubespan.net.internal.LinkMessages;
import dev.kubespan.net.internal.RouteMessages;
import dev.kubespan.net.internal.RuleMessages;
import dev.kubespan.test.Netns;

/**
 * Records the kernel's replies used as test fixtures in {@code src/test/resources/netlink/}.
 * Not a test: run it by hand (as root) when a fixture must be re-recorded:
 *
 * <pre>
 * mvn -B -q -o -pl bundles/dev.kubespan.wireguard test-compile
 * cd bundles/dev.kubespan.wireguard
 * java -cp target/test-classes:target/classes:$HOME/.m2/repository/net/java/dev/jna/jna/5.19.1/jna-5.19.1.jar:$HOME/.m2/repository/dev/kubespan/dev.kubespan.api/0.1.0-SNAPSHOT/dev.kubespan.api-0.1.0-SNAPSHOT.jar \
 *   dev.kubespan.net.netlink.NetlinkFixtureRecorder src/test/resources/netlink
 * </pre>
 *
 * It creates a throwaway namespace ({@link Netns}), sets up a bridge {@code ks-br0} with
 * {@code ip}, then sends each request (encoded by our own encoders) on a fresh raw socket
 * opened inside the namespace with the same options as {@link NetlinkSocket} (EXT_ACK,
 * CAP_ACK), with sequence number 1, and writes every datagram it receives, byte for byte, as
 * one hex line. The socket code here is deliberately separate from {@link NetlinkSocket}, so a
 * bug there cannot shape the fixtures. The bytes are in the recording host's byte order
 * (x86-64: little-endian).
 */
public final class NetlinkFixtureRecorder {
    private static final int SEQ = 1;

    private NetlinkFixtureRecorder() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/netlink");
        Files.createDirectories(dir);
        String kernel = new String(new ProcessBuilder("uname", "-r").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).trim();
        try (Netns ns = Netns.create("ks-nl-")) {
            ns.ip("link", "add", "ks-br0", "type", "bridge");
            ns.ip("link", "set", "ks-br0", "address", "02:4b:53:00:00:01", "mtu", "1420", "up");
            ns.ip("-6", "addr", "add", "fd7a:6b5c:9d01::1/64", "dev", "ks-br0", "nodad");
            ns.ip("addr", "add", "10.77.0.1/24", "dev", "ks-br0");
            String context = "namespace with lo and bridge ks-br0 (02:4b:53:00:00:01, mtu 1420, up, "
                    + "fd7a:6b5c:9d01::1/64 nodad, 10.77.0.1/24); kernel " + kernel + "; recorded " + LocalDate.now();
            int route = Netlink.NETLINK_ROUTE;
            record(ns, dir, "link-dump", route, LinkMessages.dump(), context);
            record(ns, dir, "link-get-bridge", route, LinkMessages.get("ks-br0"), context);
            record(ns, dir, "error-unknown-device-type", route, LinkMessages.create("ks-dummy0", "dummy"), context);
            record(ns, dir, "error-link-exists", route, LinkMessages.create("ks-br0", "bridge"), context);
            record(ns, dir, "genl-family-nlctrl", Netlink.NETLINK_GENERIC, GenlFamilyResolver.request("nlctrl"),
                    context);
            record(ns, dir, "genl-family-wireguard", Netlink.NETLINK_GENERIC,
                    GenlFamilyResolver.request("wireguard"), context);
            record(ns, dir, "addr-dump", route, AddressMessages.dump(), context);

            int index = Integer.parseInt(ns.ip("-o", "link", "show", "ks-br0").split(":")[0].trim());
            Route r = new Route(IpPrefix.parse("::/0"), "ks-br0", 180, 1, 1380);
            Rule rule = Rule.builder(false).priority(32500).table(180).fwmark(0x20, 0x20).invert().build();
            send(ns, route, RouteMessages.add(r, index));
            send(ns, route, RuleMessages.add(rule));
            context += "; plus (from our encoders) route ::/0 dev ks-br0 table 180 metric 1 mtu 1380 and rule "
                    + RuleMessages.describe(rule);
            record(ns, dir, "route-dump-ipv6-table180", route, RouteMessages.dump(), context);
            record(ns, dir, "rule-dump-ipv4", route, RuleMessages.dump(false), context);
        }
    }

    private static void send(Netns ns, int protocol, NetlinkRequest request) {
        List<byte[]> replies = ns.call(() -> exchange(protocol, request));
        NetlinkMessage last = NetlinkMessage.parseAll(replies.get(replies.size() - 1),
                replies.get(replies.size() - 1).length).get(0);
        if (last.error() != 0) {
            throw new IllegalStateException(request.description() + " failed: " + last.error());
        }
    }

    private static void record(Netns ns, Path dir, String name, int protocol, NetlinkRequest request,
            String context) throws IOException {
        List<byte[]> datagrams = ns.call(() -> exchange(protocol, request));
        StringBuilder sb = new StringBuilder();
        sb.append("# Recorded from the real kernel by NetlinkFixtureRecorder (see its javadoc).\n");
        sb.append("# Request: ").append(request.description()).append(", seq ").append(SEQ).append(", protocol ")
                .append(protocol).append(", sent as ").append(HexFormat.of().formatHex(request.encode(SEQ, 0)))
                .append('\n');
        sb.append("# Setup: ").append(context).append('\n');
        sb.append("# One received datagram per line, hex, host byte order.\n");
        for (byte[] d : datagrams) {
            sb.append(HexFormat.of().formatHex(d)).append('\n');
        }
        Files.writeString(dir.resolve(name + ".hex"), sb.toString());
        System.out.println(name + ": " + datagrams.size() + " datagram(s)");
    }

    /** Sends on a fresh socket and returns every datagram up to the ACK/error/DONE. */
    private static List<byte[]> exchange(int protocol, NetlinkRequest request) {
        Libc libc = Libc.get();
        int fd = libc.socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC, protocol);
        try (Memory buffer = new Memory(65536)) {
            libc.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVTIMEO,
                    ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(2).putLong(0).array());
            libc.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, int32(1));
            libc.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, int32(1));
            byte[] address = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) 16).array();
            libc.bind(fd, address);
            libc.sendto(fd, request.encode(SEQ, 0), 0, address);
            List<byte[]> out = new ArrayList<>();
            while (true) {
                int n = (int) libc.recv(fd, buffer, 65536, 0);
                byte[] d = buffer.getByteArray(0, n);
                out.add(d);
                for (NetlinkMessage m : NetlinkMessage.parseAll(d, n)) {
                    if (m.seq() == SEQ && (m.isDone() || m.isError())) {
                        return out;
                    }
                }
            }
        } finally {
            libc.close(fd);
        }
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
