package dev.kubespan.itests.kernelvm;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.internal.AddressOps;
import dev.kubespan.net.netlink.GenericNetlink;
import dev.kubespan.net.netlink.GenlFamily;
import dev.kubespan.net.netlink.GenlFamilyResolver;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkAttributes;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkSocket;
import dev.kubespan.test.Netns;
import dev.kubespan.test.Processes;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.wireguard.internal.BackendChoice;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.DeviceDiff;
import dev.kubespan.wireguard.internal.DeviceSnapshot;
import dev.kubespan.wireguard.internal.LinkStatusController;
import dev.kubespan.wireguard.internal.PeerChange;
import dev.kubespan.wireguard.internal.WireGuardService;
import dev.kubespan.wireguard.internal.kernel.DeviceDump;
import dev.kubespan.wireguard.internal.kernel.KernelBackend;
import dev.kubespan.wireguard.internal.kernel.SetDeviceMessages;

/**
 * Runs inside the kernel VM (itests/kernel-vm/run.sh): the kernel WireGuard backend against a real
 * kernel WireGuard. Two network namespaces joined by a veth; in each, a WireGuard link created,
 * addressed and configured only through our Java code ({@code ip} only builds the namespaces and
 * the veth underlay; no {@code wg} at all). Prints one line per check and a final
 * {@code RESULT: N passed, M failed}; the host script turns that line into its exit status.
 */
public final class KernelWireGuardVmCheck {
    static final String LINK = "kubespan";
    static final String BULK = "ks-bulk";
    static final IpPrefix OVERLAY_A = IpPrefix.parse("fd7a:6b5c:9d01::1/64");
    static final IpPrefix OVERLAY_B = IpPrefix.parse("fd7a:6b5c:9d01::2/64");
    static final Endpoint UNDERLAY6_A = Endpoint.parse("[fd7a:6b5c:9d00::1]:51820");
    static final Endpoint UNDERLAY6_B = Endpoint.parse("[fd7a:6b5c:9d00::2]:51821");
    static final Endpoint UNDERLAY4_B = Endpoint.parse("192.168.77.2:51821");
    static final Duration KEEPALIVE = Duration.ofSeconds(25);
    static final int BULK_PEERS = 1000;
    static final int WIDE_PEER_IPS = 1000;

    private int passed;
    private int failed;
    private final SecureRandom random = new SecureRandom();

    /** A check body that returns a short detail for the PASS line, or throws. */
    interface Body {
        String run() throws Exception;
    }

    /** Stops the run: later checks depend on this one. */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String m) {
            super(m);
        }
    }

    public static void main(String[] args) {
        KernelWireGuardVmCheck c = new KernelWireGuardVmCheck();
        long start = System.nanoTime();
        try {
            c.run();
        } catch (Abort a) {
            System.out.println("CHECK ABORT remaining checks skipped: " + a.getMessage());
        } catch (Throwable t) {
            c.failed++;
            System.out.println("CHECK FAIL unexpected: " + t);
            t.printStackTrace(System.out);
        }
        System.out.println("in-VM checks took " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.println("RESULT: " + c.passed + " passed, " + c.failed + " failed");
        System.out.flush();
        System.exit(c.failed == 0 && c.passed > 0 ? 0 : 1);
    }

    boolean check(String name, Body body) {
        long t0 = System.nanoTime();
        try {
            String detail = body.run();
            passed++;
            System.out.println("CHECK PASS " + name + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")")
                    + " [" + (System.nanoTime() - t0) / 1_000_000 + " ms]");
            return true;
        } catch (Throwable t) {
            failed++;
            System.out.println("CHECK FAIL " + name + ": " + t);
            if (!(t instanceof AssertionError)) {
                t.printStackTrace(System.out);
            }
            return false;
        }
    }

    void require(String name, Body body) {
        if (!check(name, body)) {
            throw new Abort(name + " failed");
        }
    }

    static void assertThat(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    void run() throws Exception {
        require("kernel has the generic netlink family 'wireguard'", () -> {
            GenlFamily f = GenlFamilyResolver.lookup("wireguard")
                    .orElseThrow(() -> new AssertionError("family not found (module not loaded?)"));
            return "id " + f.id() + ", version " + f.version();
        });
        try (Netns a = Netns.named("ksa"); Netns b = Netns.named("ksb")) {
            underlay(a, b);
            Node nodeA = a.call(() -> Node.open(a, "/tmp/ksvm/a"));
            Node nodeB = b.call(() -> Node.open(b, "/tmp/ksvm/b"));
            try {
                tunnel(a, b, nodeA, nodeB);
                bulk(a, nodeA);
                adoptionAndErrors(a, nodeA);
                service(a);
            } finally {
                nodeA.close();
                nodeB.close();
            }
        }
    }

    static void underlay(Netns a, Netns b) {
        Processes.run(Duration.ofSeconds(60), List.of("ip", "link", "add", "veth-a", "netns", a.name(), "type", "veth", "peer",
                "name", "veth-b", "netns", b.name()));
        a.ip("addr", "add", "192.168.77.1/24", "dev", "veth-a");
        a.ip("addr", "add", "fd7a:6b5c:9d00::1/64", "dev", "veth-a", "nodad");
        a.ip("link", "set", "veth-a", "up");
        b.ip("addr", "add", "192.168.77.2/24", "dev", "veth-b");
        b.ip("addr", "add", "fd7a:6b5c:9d00::2/64", "dev", "veth-b", "nodad");
        b.ip("link", "set", "veth-b", "up");
    }

    /** Keys, port, fwmark, one peer each way with PSK, endpoint, keepalive; handshake; ping; read back. */
    void tunnel(Netns a, Netns b, Node nodeA, Node nodeB) throws Exception {
        require("ensureLink creates kernel WireGuard links (MTU 1380, up) in both namespaces", () -> {
            for (Node n : List.of(nodeA, nodeB)) {
                n.backend.ensureLink(LINK, 1380);
                LinkInfo l = n.backend.linkInfo(LINK).orElseThrow(() -> new AssertionError("no link"));
                assertThat(l.kind().equals("wireguard") && l.mtu() == 1380 && l.up(), "link is " + l);
            }
            return "kind wireguard, mtu 1380, up";
        });
        require("overlay addresses added over rtnetlink", () -> {
            nodeA.addresses.add(LINK, OVERLAY_A);
            nodeB.addresses.add(LINK, OVERLAY_B);
            String shown = a.ip("-6", "addr", "show", "dev", LINK);
            assertThat(shown.contains("fd7a:6b5c:9d01::1/64"), "ip shows " + shown);
            return "fd7a:6b5c:9d01::1/64, ::2/64";
        });

        Key privA = Key.generatePrivateKey();
        Key privB = Key.generatePrivateKey();
        Key pubA = privA.publicKey();
        Key pubB = privB.publicKey();
        Key psk = Key.generatePresharedKey();
        DeviceConfig configA = new DeviceConfig(privA, 51820, 0x20, List.of(new PeerConfig(pubB, psk, UNDERLAY6_B,
                KEEPALIVE, List.of(IpPrefix.parse("fd7a:6b5c:9d01::2/128"), IpPrefix.parse("10.99.0.2/32")))));
        DeviceConfig configB = new DeviceConfig(privB, 51821, 0x20, List.of(new PeerConfig(pubA, psk, UNDERLAY6_A,
                KEEPALIVE, List.of(IpPrefix.parse("fd7a:6b5c:9d01::1/128"), IpPrefix.parse("10.99.0.1/32")))));

        Instant configured = Instant.now();
        require("config (private key, port, fwmark, peer with PSK, v6 endpoint, keepalive, allowed IPs) applied"
                + " and read back identical", () -> {
            apply(nodeA, LINK, configA);
            apply(nodeB, LINK, configB);
            StringBuilder sb = new StringBuilder();
            for (Object[] n : new Object[][] {{nodeA, configA, pubA}, {nodeB, configB, pubB}}) {
                Node node = (Node) n[0];
                DeviceConfig config = (DeviceConfig) n[1];
                DeviceSnapshot s = node.backend.read(LINK).orElseThrow();
                assertThat(s.state().publicKey().equals(n[2]), "public key read back differs");
                assertThat(s.privateKey().equals(config.privateKey()), "private key read back differs");
                assertThat(s.state().listenPort() == config.listenPort(), "listen port " + s.state().listenPort());
                assertThat(s.state().fwmark() == 0x20, "fwmark " + s.state().fwmark());
                assertThat(s.presharedKeys().equals(Map.of(config.peers().get(0).publicKey(), psk)), "PSK differs");
                DeviceChange left = DeviceDiff.compute(config, s);
                assertThat(left.isEmpty(), "still to change: " + left.summary());
                sb.append(sb.length() == 0 ? "" : "; ").append("port ").append(s.state().listenPort())
                        .append(", fwmark 0x20, peers ").append(s.state().peers().size());
            }
            return sb.toString();
        });

        require("handshake completes in both directions", () -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                DevicePeer pa = nodeA.peer(LINK, pubB);
                DevicePeer pb = nodeB.peer(LINK, pubA);
                if (pa.lastHandshake() != null && pb.lastHandshake() != null) {
                    return "A saw " + Duration.between(configured, pa.lastHandshake()).toMillis() + " ms, B saw "
                            + Duration.between(configured, pb.lastHandshake()).toMillis() + " ms after configuring";
                }
                assertThat(System.nanoTime() < deadline, "no handshake within 30 s");
                Thread.sleep(200);
            }
        });

        DevicePeer before = nodeA.peer(LINK, pubB);
        check("ping -6 A -> B over the tunnel", () -> ping(a, "fd7a:6b5c:9d01::2", true));
        check("ping -6 B -> A over the tunnel", () -> ping(b, "fd7a:6b5c:9d01::1", true));

        check("state read back through the Java API matches (handshake time, rx/tx, endpoint)", () -> {
            Instant now = Instant.now();
            DevicePeer pa = nodeA.peer(LINK, pubB);
            DevicePeer pb = nodeB.peer(LINK, pubA);
            for (DevicePeer p : List.of(pa, pb)) {
                assertThat(p.lastHandshake() != null && !p.lastHandshake().isBefore(configured.minusSeconds(1))
                        && !p.lastHandshake().isAfter(now.plusSeconds(1)), "handshake time " + p.lastHandshake()
                        + " outside [" + configured + ", " + now + "]");
                assertThat(p.receiveBytes() > 0 && p.transmitBytes() > 0, "rx " + p.receiveBytes() + " tx "
                        + p.transmitBytes());
                assertThat(p.persistentKeepalive().equals(KEEPALIVE), "keepalive " + p.persistentKeepalive());
            }
            assertThat(pa.transmitBytes() > before.transmitBytes() && pa.receiveBytes() > before.receiveBytes(),
                    "counters did not grow with the pings: before " + before.transmitBytes() + "/"
                            + before.receiveBytes() + ", after " + pa.transmitBytes() + "/" + pa.receiveBytes());
            assertThat(UNDERLAY6_B.equals(pa.endpoint()), "A's endpoint for B is " + pa.endpoint());
            assertThat(UNDERLAY6_A.equals(pb.endpoint()), "B's endpoint for A is " + pb.endpoint());
            return "A: handshake " + pa.lastHandshake() + ", rx " + pa.receiveBytes() + " tx " + pa.transmitBytes()
                    + ", endpoint " + pa.endpoint() + "; B: rx " + pb.receiveBytes() + " tx " + pb.transmitBytes()
                    + ", endpoint " + pb.endpoint();
        });

        check("endpoint change to IPv4 (sockaddr_in) keeps the tunnel working", () -> {
            DeviceSnapshot s = nodeA.backend.read(LINK).orElseThrow();
            DeviceConfig moved = new DeviceConfig(privA, 51820, 0x20, List.of(configA.peers().get(0).withEndpoint(UNDERLAY4_B)));
            DeviceChange change = DeviceDiff.compute(moved, s);
            assertThat(change.peers().size() == 1 && change.peers().get(0).kind() == PeerChange.Kind.UPDATE
                    && UNDERLAY4_B.equals(change.peers().get(0).endpoint()) && change.peers().get(0).allowedIPs() == null,
                    "diff is " + change.summary());
            nodeA.backend.set(LINK, change);
            ping(a, "fd7a:6b5c:9d01::2", true);
            DevicePeer pa = nodeA.peer(LINK, pubB);
            DevicePeer pb = nodeB.peer(LINK, pubA);
            assertThat(UNDERLAY4_B.equals(pa.endpoint()), "A's endpoint for B is " + pa.endpoint());
            return "A -> " + pa.endpoint() + ", B roamed to " + pb.endpoint();
        });

        check("removing the peer stops the tunnel", () -> {
            nodeA.backend.set(LINK, DeviceChange.ofPeers(List.of(PeerChange.remove(pubB))));
            DeviceSnapshot s = nodeA.backend.read(LINK).orElseThrow();
            assertThat(s.state().peers().isEmpty(), "A still has " + s.state().peers().size() + " peers");
            ping(a, "fd7a:6b5c:9d01::2", false);
            return "A has no peers, ping fails";
        });
    }

    /** 1000 peers (one with 1000 allowed IPs) applied and read back: fragmentation both ways. */
    void bulk(Netns a, Node nodeA) throws Exception {
        require("second link for the bulk config (kept down so no peer is contacted)", () -> {
            nodeA.backend.ensureLink(BULK, 1420);
            nodeA.links.setUp(BULK, false);
            return "";
        });
        List<PeerConfig> peers = new ArrayList<>();
        for (int i = 0; i < BULK_PEERS; i++) {
            List<IpPrefix> ips = new ArrayList<>();
            int count = i == 0 ? WIDE_PEER_IPS : 1 + i % 3;
            for (int j = 0; j < count; j++) {
                ips.add(j % 2 == 0 || i == 0
                        ? IpPrefix.parse("fd7b:" + Integer.toHexString(i) + ":" + Integer.toHexString(j) + "::/64")
                        : IpPrefix.parse("10." + (i >> 8) + "." + (i & 255) + "." + j + "/32"));
            }
            Endpoint e = i % 2 == 0 ? Endpoint.parse("198.51.100." + (1 + i % 250) + ":" + (20000 + i))
                    : Endpoint.parse("[2001:db8::" + Integer.toHexString(i) + "]:" + (20000 + i));
            peers.add(new PeerConfig(randomKey(), i % 3 == 0 ? randomKey() : null, e,
                    Duration.ofSeconds(i % 4 == 0 ? 25 : 0), ips));
        }
        Key priv = Key.generatePrivateKey();
        DeviceConfig config = new DeviceConfig(priv, 51900, 0, peers);
        int familyId = GenlFamilyResolver.lookup("wireguard").orElseThrow().id();

        require(BULK_PEERS + " peers applied in several SET messages and read back intact", () -> {
            DeviceChange change = DeviceDiff.compute(config, nodeA.backend.read(BULK).orElseThrow());
            int messages = SetDeviceMessages.encode(familyId, BULK, change).size();
            long t0 = System.nanoTime();
            nodeA.backend.set(BULK, change);
            long setMs = (System.nanoTime() - t0) / 1_000_000;
            t0 = System.nanoTime();
            DeviceSnapshot s = nodeA.backend.read(BULK).orElseThrow();
            long readMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(s.state().peers().size() == BULK_PEERS, "read back " + s.state().peers().size() + " peers");
            DeviceChange left = DeviceDiff.compute(config, s);
            assertThat(left.isEmpty(), "still to change: " + left.summary());
            long psks = peers.stream().filter(p -> p.presharedKey() != null).count();
            assertThat(s.presharedKeys().size() == psks, "PSKs read back " + s.presharedKeys().size() + " of " + psks);
            DevicePeer wide = s.state().peers().stream().filter(p -> p.publicKey().equals(peers.get(0).publicKey()))
                    .findFirst().orElseThrow();
            assertThat(wide.allowedIPs().size() == WIDE_PEER_IPS, "wide peer has " + wide.allowedIPs().size());
            assertThat(messages > 1, "only " + messages + " SET message");
            return messages + " SET messages in " + setMs + " ms, read back in " + readMs + " ms";
        });

        check("the kernel's dump of it spans several messages and splits the wide peer", () -> {
            List<NetlinkMessage> replies = a.call(() -> {
                try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
                    return s.request(DeviceDump.request(familyId, BULK));
                }
            });
            byte[] wideKey = peers.get(0).publicKey().bytes();
            int mentioning = 0;
            for (NetlinkMessage m : replies) {
                boolean mentions = false;
                for (NetlinkAttributes.Attribute p : GenericNetlink.attributes(m).nest(8).map(NetlinkAttributes::all)
                        .orElse(List.of())) {
                    mentions |= java.util.Arrays.equals(p.nest().bytes(1).orElse(new byte[0]), wideKey);
                }
                mentioning += mentions ? 1 : 0;
            }
            assertThat(replies.size() > 1, "dump came in " + replies.size() + " message");
            assertThat(mentioning > 1, "wide peer in " + mentioning + " message");
            DeviceSnapshot merged = DeviceDump.parse(BULK, replies);
            assertThat(merged.state().peers().size() == BULK_PEERS, "merged " + merged.state().peers().size());
            return replies.size() + " dump messages, the wide peer in " + mentioning + " of them";
        });

        check("removing peers (the wide one among them) through the diff", () -> {
            Set<Key> gone = new HashSet<>();
            List<PeerConfig> kept = new ArrayList<>();
            for (int i = 0; i < peers.size(); i++) {
                if (i % 100 == 0) {
                    gone.add(peers.get(i).publicKey());
                } else {
                    kept.add(peers.get(i));
                }
            }
            DeviceConfig smaller = new DeviceConfig(priv, 51900, 0, kept);
            DeviceChange change = DeviceDiff.compute(smaller, nodeA.backend.read(BULK).orElseThrow());
            assertThat(change.peers().size() == gone.size(), "diff has " + change.summary());
            nodeA.backend.set(BULK, change);
            DeviceSnapshot s = nodeA.backend.read(BULK).orElseThrow();
            assertThat(s.state().peers().size() == kept.size(), "peers now " + s.state().peers().size());
            assertThat(s.state().peers().stream().noneMatch(p -> gone.contains(p.publicKey())), "a removed peer is back");
            assertThat(DeviceDiff.compute(smaller, s).isEmpty(), "not as desired after removal");
            return gone.size() + " removed, " + kept.size() + " left";
        });
    }

    void adoptionAndErrors(Netns a, Node nodeA) throws Exception {
        check("a new backend instance adopts the marked links as they are", () -> {
            KernelBackend next = a.call(() -> KernelBackend.open(Path.of("/tmp/ksvm/a"), quietLog()));
            try {
                List<String> adopted = next.adoptRunning();
                assertThat(adopted.equals(List.of(BULK, LINK)), "adopted " + adopted);
                int peers = next.read(BULK).orElseThrow().state().peers().size();
                assertThat(peers == BULK_PEERS - BULK_PEERS / 100, "adopted link has " + peers + " peers");
                return "adopted " + adopted;
            } finally {
                next.close(true);
            }
        });
        check("errors carry errno and a readable message", () -> {
            try {
                nodeA.backend.set("veth-a", DeviceChange.ofPeers(List.of(PeerChange.remove(randomKey()))));
                throw new AssertionError("set on a veth succeeded");
            } catch (WireGuardException e) {
                assertThat(e.errno() == 95, "errno " + e.errno() + ": " + e.getMessage());
                assertThat(e.getMessage().contains("EOPNOTSUPP"), e.getMessage());
                assertThat(nodeA.backend.read("nope0").isEmpty(), "a missing link read as present");
                return e.getMessage();
            }
        });
        // The emptied tunnel link, not the bulk one: destroying a device with 990 peers costs the
        // kernel about 18 s under TCG; the namespace teardown disposes of it in the background.
        check("deleteLink removes the kernel link", () -> {
            nodeA.backend.deleteLink(LINK);
            assertThat(nodeA.backend.linkInfo(LINK).isEmpty(), "still there");
            assertThat(!a.ip("link", "show").contains(LINK), "ip still shows it");
            assertThat(nodeA.backend.links().equals(Set.of(BULK)), "managed " + nodeA.backend.links());
            return "";
        });
    }

    /** The layer the WireGuardControl component runs: backend choice, WireGuardService, LinkStatus. */
    void service(Netns a) throws Exception {
        check("auto backend choice picks the kernel, and WireGuardService applies, reads and publishes over it", () -> {
            BackendChoice choice = a.call(() -> BackendChoice.choose("auto",
                    () -> GenlFamilyResolver.lookup("wireguard").isPresent(), true));
            assertThat(choice.backend() == Backend.KERNEL && choice.available(), "choice " + choice);
            KernelBackend backend = a.call(() -> KernelBackend.open(Path.of("/tmp/ksvm/svc"), quietLog()));
            InMemoryResourceStore store = new InMemoryResourceStore();
            WireGuardService service = new WireGuardService(backend, choice.reason(), quietLog());
            RunningController statusController = new ControllerRuntime(store, quietLog())
                    .start(new LinkStatusController(service, Duration.ofSeconds(1)));
            service.onChange(statusController::trigger);
            try {
                service.ensureLink("ks-svc", 1400);
                DeviceConfig config = new DeviceConfig(Key.generatePrivateKey(), 51990, 0x20, List.of(
                        new PeerConfig(randomKey(), randomKey(), Endpoint.parse("192.0.2.50:51820"), KEEPALIVE,
                                List.of(IpPrefix.parse("fd7c::1/128"))),
                        new PeerConfig(randomKey(), null, Endpoint.parse("[2001:db8::50]:51820"), KEEPALIVE,
                                List.of(IpPrefix.parse("fd7c::2/128"), IpPrefix.parse("10.98.0.0/16")))));
                service.apply("ks-svc", config);
                service.apply("ks-svc", config); // nothing left to change: no error, no churn
                DeviceSnapshot s = backend.read("ks-svc").orElseThrow();
                assertThat(DeviceDiff.compute(config, s).isEmpty(), "device differs from the applied config");
                assertThat(service.backend() == Backend.KERNEL, "service backend " + service.backend());
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                LinkStatus status = null;
                while (System.nanoTime() < deadline) {
                    statusController.trigger();
                    status = store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks-svc").map(r -> r.spec())
                            .orElse(null);
                    if (status != null && status.peers() == 2) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(status != null && status.backend() == Backend.KERNEL && status.present() && status.up()
                        && status.mtu() == 1400 && status.listenPort() == 51990 && status.peers() == 2,
                        "LinkStatus " + status);
                service.deleteLink("ks-svc");
                assertThat(backend.linkInfo("ks-svc").isEmpty(), "link still there");
                return "LinkStatus " + status.backend() + ", mtu " + status.mtu() + ", port " + status.listenPort()
                        + ", peers " + status.peers();
            } finally {
                statusController.close();
                service.close(true);
                store.deactivate();
            }
        });
    }

    static void apply(Node node, String link, DeviceConfig config) {
        DeviceSnapshot current = node.backend.read(link).orElseThrow(() -> new AssertionError(link + " missing"));
        node.backend.set(link, DeviceDiff.compute(config, current));
    }

    static String ping(Netns ns, String target, boolean expectReply) {
        Processes.Result r = ns.exec("ping", "-6", "-n", "-c", expectReply ? "3" : "1", "-i", "0.2",
                "-W", expectReply ? "3" : "1", target);
        if (expectReply != (r.exit() == 0)) {
            throw new AssertionError("ping " + target + " from " + ns.name() + " exited " + r.exit() + ": " + r.output());
        }
        String[] lines = r.output().strip().split("\n");
        return lines[lines.length - 1 - (expectReply ? 1 : 0)].strip();
    }

    Key randomKey() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return Key.fromBytes(k);
    }

    /** The backends' warnings and errors reach the console (the VM's only output); the rest is kept. */
    static Log quietLog() {
        return new RecordingLog();
    }

    /** One side: the backend and the address code, with sockets opened inside the namespace. */
    static final class Node {
        final KernelBackend backend;
        final LinkOps links;
        final NetlinkSocket route;
        final AddressOps addresses;

        private Node(KernelBackend backend, LinkOps links, NetlinkSocket route) {
            this.backend = backend;
            this.links = links;
            this.route = route;
            this.addresses = new AddressOps(route, links);
        }

        /** Call on the namespace's thread. */
        static Node open(Netns ns, String runtimeDir) {
            return new Node(KernelBackend.open(Path.of(runtimeDir), quietLog()), LinkOps.open(),
                    NetlinkSocket.open(Netlink.NETLINK_ROUTE));
        }

        DevicePeer peer(String link, Key key) {
            DeviceSnapshot s = backend.read(link).orElseThrow(() -> new AssertionError(link + " missing"));
            Optional<DevicePeer> p = s.state().peers().stream().filter(x -> x.publicKey().equals(key)).findFirst();
            return p.orElseThrow(() -> new AssertionError("peer missing on " + link));
        }

        void close() {
            backend.close(true);
            links.close();
            route.close();
        }
    }
}
