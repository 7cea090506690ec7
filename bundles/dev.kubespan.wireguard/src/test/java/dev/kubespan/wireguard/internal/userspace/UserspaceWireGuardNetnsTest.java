package dev.kubespan.wireguard.internal.userspace;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.test.Netns;
import dev.kubespan.wireguard.internal.LinkOpsAccess;
import dev.kubespan.wireguard.internal.LinkStatusController;
import dev.kubespan.wireguard.internal.WireGuardService;

/**
 * The userspace backend end to end: real wireguard-go, two network namespaces this test creates
 * (joined by a veth; underlay fd7a:6b5c:9f00::/64 and 10.96.0.0/24 exist only inside them), our
 * {@link WireGuardService} per side. The JVM stays in the root namespace: each wireguard-go is
 * launched through {@code ip netns exec <ns>} (which execs, so the pid is the daemon's), links are
 * driven through a netlink socket opened inside the namespace, and the overlay addresses (the
 * manager's job, not ours) are set with {@code ip -n}. Distinct link names per side, because the
 * UAPI socket directory is shared by all namespaces.
 *
 * <p>Needs root, iproute2 and wireguard-go; fails (never skips) without them.
 */
public class UserspaceWireGuardNetnsTest {
    private static final Duration KEEPALIVE = Duration.ofSeconds(25);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Side> sides = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private Side one;
    private Side two;

    /**
     * Status refresh period of the sides' LinkStatus controllers: long, so that a status change a
     * test sees comes from the service's change signal, not from the periodic refresh.
     */
    private static final Duration STATUS_INTERVAL = Duration.ofMinutes(10);

    /** One node: its namespace, link, keys, addresses, resource store and our control for it. */
    private final class Side {
        final Netns ns;
        final String link;
        final int index;
        final Key privateKey = Key.generatePrivateKey();
        final Key publicKey = privateKey.publicKey();
        final int port;
        final Path runtimeDir;
        /** The node's store: it outlives control instances, as the api bundle's store outlives a wireguard bundle update. */
        final InMemoryResourceStore store = new InMemoryResourceStore();
        LinkOpsAccess links;
        ScheduledThreadPoolExecutor supervisor;
        UserspaceBackend backend;
        WireGuardService service;
        RunningController status;

        Side(Netns ns, int index) throws IOException {
            this.ns = ns;
            this.index = index;
            this.link = "kst" + tag + "w" + index;
            this.port = 51819 + index;
            this.runtimeDir = Files.createTempDirectory("ks-wg-run");
            dirs.add(runtimeDir);
        }

        String overlay() {
            return "fd7a:6b5c:9f01::" + index;
        }

        Endpoint underlay6() {
            return Endpoint.parse("[fd7a:6b5c:9f00::" + index + "]:" + port);
        }

        Endpoint underlay4() {
            return Endpoint.parse("10.96.0." + index + ":" + port);
        }

        /** A fresh control instance, as after a bundle update or a container restart. */
        void startControl() {
            links = new LinkOpsAccess(ns.call(LinkOps::open), LinkOpsAccess.namespaceOf(Path.of("/run/netns", ns.name())));
            supervisor = new ScheduledThreadPoolExecutor(1);
            UserspaceSettings settings = UserspaceSettings.defaults("", runtimeDir)
                    .withLaunchPrefix(List.of("ip", "netns", "exec", ns.name()))
                    .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
            backend = new UserspaceBackend(settings, links, supervisor, Log.console("[" + link + "]"));
            service = new WireGuardService(backend, "test: userspace", Log.console("[" + link + "]"));
            status = new ControllerRuntime(store, Log.console("[" + link + "]"))
                    .start(new LinkStatusController(service, STATUS_INTERVAL));
            service.onChange(status::trigger);
        }

        void stopControl(boolean keepLinks) {
            if (service != null) {
                status.close();
                service.close(keepLinks);
                supervisor.shutdownNow();
                links.close();
                service = null;
            }
        }

        DeviceConfig configWith(Side peer, Endpoint endpoint) {
            return new DeviceConfig(privateKey, port, 0, List.of(new PeerConfig(peer.publicKey, null, endpoint, KEEPALIVE,
                    List.of(IpPrefix.parse(peer.overlay() + "/128")))));
        }

        DeviceConfig configWithoutPeers() {
            return new DeviceConfig(privateKey, port, 0, List.of());
        }

        void addOverlayAddress() {
            ns.ip("addr", "add", overlay() + "/64", "dev", link, "nodad");
        }

        DeviceState state() {
            return service.read(link).orElseThrow(() -> new AssertionError("link " + link + " is missing"));
        }

        DevicePeer peer(Side other) {
            return state().peers().stream().filter(p -> p.publicKey().equals(other.publicKey)).findFirst()
                    .orElseThrow(() -> new AssertionError(link + " has no peer " + other.link));
        }

        long pid() {
            return backend.health(link).pid();
        }

        boolean ping(Side other, int count) {
            return run("ip", "netns", "exec", ns.name(), "ping", "-6", "-n", "-c", Integer.toString(count), "-i", "0.2",
                    "-W", "2", other.overlay()) == 0;
        }
    }

    @Before
    public void setUp() throws IOException {
        if (run("sh", "-c", "command -v wireguard-go") != 0) {
            fail("wireguard-go is not installed: apt-get install -y --no-install-recommends wireguard-go iproute2");
        }
        Netns a = Netns.create("ks-nl-");
        namespaces.add(a);
        Netns b = Netns.create("ks-nl-");
        namespaces.add(b);
        one = new Side(a, 1);
        two = new Side(b, 2);
        sides.add(one);
        sides.add(two);
        String v1 = "kst" + tag + "v1";
        String v2 = "kst" + tag + "v2";
        if (run("ip", "link", "add", v1, "netns", a.name(), "type", "veth", "peer", "name", v2, "netns", b.name()) != 0) {
            fail("cannot create the veth pair between " + a.name() + " and " + b.name());
        }
        for (Side s : sides) {
            String veth = s == one ? v1 : v2;
            s.ns.ip("link", "set", veth, "up");
            s.ns.ip("addr", "add", "fd7a:6b5c:9f00::" + s.index + "/64", "dev", veth, "nodad");
            s.ns.ip("addr", "add", "10.96.0." + s.index + "/24", "dev", veth);
            s.startControl();
        }
    }

    @After
    public void tearDown() throws IOException {
        List<Throwable> problems = new ArrayList<>();
        for (Side s : sides) {
            try {
                s.stopControl(false);
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        // Whatever survived a failed test: our daemons, found by their unique link names, killed by pid.
        ProcFs proc = ProcFs.system();
        for (long pid : proc.pids()) {
            List<String> argv = proc.cmdline(pid);
            if (!argv.isEmpty() && argv.get(argv.size() - 1).startsWith("kst" + tag)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (Netns ns : namespaces) {
            try {
                ns.close();
            } catch (RuntimeException | AssertionError e) {
                problems.add(e);
            }
        }
        for (Side s : sides) {
            Files.deleteIfExists(UserspaceSettings.DEFAULT_SOCKET_DIR.resolve(s.link + ".sock"));
        }
        for (Path d : dirs) {
            try (Stream<Path> files = Files.walk(d)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        for (Side s : sides) {
            s.store.deactivate();
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("cleanup failed: " + problems);
        }
    }

    /** Both sides up, each with the other as peer (with keepalive), overlay addresses set, a handshake done. */
    private void bringUpMesh() {
        for (Side s : List.of(one, two)) {
            Side other = s == one ? two : one;
            s.service.ensureLink(s.link, 1420);
            s.service.apply(s.link, s.configWith(other, other.underlay6()));
            s.addOverlayAddress();
        }
        assertTrue("ping -6 over the tunnel", one.ping(two, 3));
        await("handshake on " + one.link, () -> one.peer(two).lastHandshake() != null);
    }

    @Test
    public void configAppliedThroughTheApiCarriesTrafficAndReadsBack() {
        bringUpMesh();

        DeviceState s = one.state();
        assertEquals(one.publicKey, s.publicKey());
        assertEquals(one.port, s.listenPort());
        assertEquals(1, s.peers().size());
        DevicePeer p = one.peer(two);
        assertEquals(KEEPALIVE, p.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse(two.overlay() + "/128")), p.allowedIPs());
        assertEquals(two.underlay6(), p.endpoint());
        assertNotNull(p.lastHandshake());
        assertTrue(p.receiveBytes() > 0 && p.transmitBytes() > 0);

        assertTrue(one.ping(two, 5));
        DevicePeer later = one.peer(two);
        assertTrue("rx grows: " + p.receiveBytes() + " -> " + later.receiveBytes(), later.receiveBytes() > p.receiveBytes());
        assertTrue("tx grows: " + p.transmitBytes() + " -> " + later.transmitBytes(),
                later.transmitBytes() > p.transmitBytes());
        assertEquals(two.publicKey, two.state().publicKey());
        assertNotNull(two.peer(one).lastHandshake());

        // the LinkStatus makes the backend and the supervised process visible
        one.status.runNow().join();
        LinkStatus st = one.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, one.link).orElseThrow().spec();
        assertEquals(Backend.USERSPACE, st.backend());
        assertTrue(st.present());
        assertTrue(st.up());
        assertEquals(1420, st.mtu());
        assertEquals(one.port, st.listenPort());
        assertEquals(1, st.peers());
        assertEquals(one.pid(), st.pid());
        assertEquals(List.of("wireguard-go", one.link),
                ProcFs.system().cmdline(st.pid()).stream().map(a -> Path.of(a).getFileName().toString()).toList());
        assertEquals("the daemon runs in the side's namespace, not ours",
                LinkOpsAccess.namespaceOf(Path.of("/run/netns", one.ns.name())),
                ProcFs.system().netns(st.pid()).orElseThrow());
    }

    @Test
    public void mtuChangeIsApplied() {
        bringUpMesh();
        one.service.ensureLink(one.link, 1380);
        assertEquals(1380, one.links.find(one.link).orElseThrow().mtu());
        assertTrue(one.links.find(one.link).orElseThrow().up());
    }

    @Test
    public void removedPeerStopsTraffic() {
        bringUpMesh();
        one.service.apply(one.link, one.configWithoutPeers());
        assertTrue(one.state().peers().isEmpty());
        assertFalse("no traffic to a removed peer", one.ping(two, 2));

        one.service.apply(one.link, one.configWith(two, two.underlay6()));
        assertTrue("peer back, traffic back", one.ping(two, 3));
    }

    @Test
    public void endpointChangesAreApplied() {
        bringUpMesh();
        one.service.apply(one.link, one.configWith(two, two.underlay4()));
        assertEquals(two.underlay4(), one.peer(two).endpoint());
        assertTrue(one.ping(two, 3));

        one.service.apply(one.link, one.configWith(two, two.underlay6()));
        assertEquals(two.underlay6(), one.peer(two).endpoint());
        assertTrue(one.ping(two, 3));

        // a desired endpoint of null keeps the device's endpoint
        one.service.apply(one.link, one.configWith(two, null));
        assertEquals(two.underlay6(), one.peer(two).endpoint());
    }

    @Test
    public void newControlInstanceAdoptsTheRunningLinkWithoutRestartingIt() throws IOException {
        bringUpMesh();
        long pid = one.pid();
        DevicePeer before = one.peer(two);
        Instant handshake = before.lastHandshake();
        assertEquals(Long.toString(pid), Files.readString(one.runtimeDir.resolve(one.link + ".pid")).trim());

        one.stopControl(true); // a bundle update: keep.link.on.stop=true
        assertTrue("wireguard-go outlives the stopped control", ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false));
        assertTrue("tunnel still carries traffic with no control running", one.ping(two, 2));

        one.startControl();
        await("adoption", () -> one.backend.links().contains(one.link));
        assertEquals("adopted, not restarted", pid, one.pid());
        assertTrue(one.backend.health(one.link).detail(), one.backend.health(one.link).detail().contains("adopted"));
        DevicePeer adopted = one.peer(two);
        assertEquals("peers kept", before.allowedIPs(), adopted.allowedIPs());
        assertEquals(before.endpoint(), adopted.endpoint());
        assertEquals("the session was not touched", handshake, adopted.lastHandshake());
        assertTrue("counters not reset (the peer was not recreated)", adopted.receiveBytes() >= before.receiveBytes());

        // the manager then repeats ensureLink + apply with the same config: nothing restarts or resets
        one.service.ensureLink(one.link, 1420);
        one.service.apply(one.link, one.configWith(two, two.underlay6()));
        assertEquals(pid, one.pid());
        DevicePeer after = one.peer(two);
        assertEquals(handshake, after.lastHandshake());
        assertTrue(after.receiveBytes() >= adopted.receiveBytes());
        assertTrue(one.ping(two, 2));
    }

    @Test
    public void adoptionWithoutPidFileFindsTheDaemonByItsArgv() throws IOException {
        bringUpMesh();
        long pid = one.pid();
        one.stopControl(true);
        Files.delete(one.runtimeDir.resolve(one.link + ".pid"));
        one.startControl();
        one.service.ensureLink(one.link, 1420);
        assertEquals(pid, one.pid());
        assertEquals(1, one.state().peers().size());
        assertEquals(Long.toString(pid), Files.readString(one.runtimeDir.resolve(one.link + ".pid")).trim());
    }

    @Test
    public void killedDaemonIsRestartedAndReconfigured() {
        bringUpMesh();
        long pid = one.pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("a new wireguard-go for " + one.link, () -> one.pid() != 0 && one.pid() != pid);
        await("config re-applied to the new daemon", () -> {
            try {
                return one.state().peers().size() == 1;
            } catch (WireGuardException e) {
                return false;
            }
        });
        DeviceState s = one.state();
        assertEquals(one.publicKey, s.publicKey());
        assertEquals(one.port, s.listenPort());
        assertEquals(KEEPALIVE, one.peer(two).persistentKeepalive());
        assertTrue(one.links.find(one.link).orElseThrow().up());
        assertNotEquals(pid, one.pid());

        // the new TUN has no address: putting it back is the manager's job (it reconciles addresses)
        one.addOverlayAddress();
        assertTrue("traffic after the restart", one.ping(two, 3));
        assertTrue(one.backend.health(one.link).detail(), one.backend.health(one.link).detail().contains("restarts 1"));
    }

    @Test
    public void deleteLinkStopsTheDaemonAndRemovesTheLink() {
        bringUpMesh();
        long pid = one.pid();
        one.service.deleteLink(one.link);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(one.links.find(one.link).isEmpty());
        assertFalse(one.service.linkExists(one.link));
        assertTrue(one.service.read(one.link).isEmpty());
        assertFalse(Files.exists(one.runtimeDir.resolve(one.link + ".pid")));
        await("LinkStatus of the deleted link removed",
                () -> one.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, one.link).isEmpty());
        one.service.deleteLink(one.link); // again: no error
    }

    @Test
    public void stopWithoutKeepingLinksStopsTheDaemon() {
        bringUpMesh();
        long pid = one.pid();
        one.stopControl(false);
        await("wireguard-go exit", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(one.ns.ip("link", "show").indexOf(one.link) < 0);
    }

    @Test
    public void aSocketOfAnotherNamespaceIsNotTrusted() {
        one.service.ensureLink(one.link, 1420);
        // Side two asks for the same link name: the socket answers, but for side one's namespace.
        WireGuardException e = assertThrows(WireGuardException.class, () -> two.service.ensureLink(one.link, 1420));
        assertTrue(e.getMessage(), e.getMessage().contains("outside this network namespace"));
        assertTrue(two.service.read(one.link).isEmpty());
        assertThrows(WireGuardException.class, () -> two.service.apply(one.link, two.configWithoutPeers()));
        assertEquals("side one's device untouched", 0, one.state().peers().size());
        assertNull(one.state().publicKey());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static int run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0 && !argv[argv.length - 1].startsWith("fd7a")) {
                System.err.println(String.join(" ", argv) + " -> " + p.exitValue() + ": " + out.trim());
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
