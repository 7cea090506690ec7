package dev.kubespan.net.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.osgi.service.log.Logger;

import dev.kubespan.api.Watch;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.netlink.GenlFamily;
import dev.kubespan.net.netlink.GenlFamilyResolver;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkSocket;
import dev.kubespan.test.Netns;
import dev.kubespan.test.OsgiLogger;
import dev.kubespan.test.RecordingLog;

/**
 * The rtnetlink operations against the real kernel, inside a network namespace this class
 * creates (needs root; it fails, never skips, without). Each operation runs on a thread that
 * entered the namespace, and each result is checked twice: with {@code ip -n <ns>} and with our
 * own dumps. Links are bridges and veths: this kernel has no dummy or wireguard kind.
 */
public class RtnlNetnsTest {
    private static Netns ns;

    @BeforeClass
    public static void createNamespace() {
        ns = Netns.create("ks-nl-");
    }

    @AfterClass
    public static void deleteNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    /** Runs {@code body} with a NetlinkNetwork opened inside the namespace. */
    private static <T> T inNs(java.util.function.Function<NetlinkNetwork, T> body) {
        return ns.call(() -> {
            NetlinkNetwork net = new NetlinkNetwork(silentLogger());
            try {
                return body.apply(net);
            } finally {
                net.deactivate();
            }
        });
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", " ");
    }

    @Test
    public void linksCreateConfigureListAndDelete() {
        ns.run(() -> {
            try (LinkOps links = LinkOps.open()) {
                links.create("ks-br1", "bridge");
                links.create("ks-br1", "bridge"); // EEXIST is "already there"
                links.setMtu("ks-br1", 1380);
                links.setUp("ks-br1", true);
                LinkInfo l = links.find("ks-br1").orElseThrow();
                assertEquals("bridge", l.kind());
                assertEquals(LinkInfo.ARPHRD_ETHER, l.type());
                assertEquals(1380, l.mtu());
                assertTrue(l.up());
                assertTrue(l.hardwareAddress(), l.hardwareAddress().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"));
                assertTrue(links.list().contains(l));
                assertTrue(links.list().stream().anyMatch(x -> x.name().equals("lo") && x.index() == 1));
            }
        });
        String shown = ns.ip("-d", "link", "show", "ks-br1");
        assertTrue(shown, shown.matches("(?s).*[<,]UP[,>].*"));
        assertTrue(shown, shown.contains("mtu 1380"));
        assertTrue(shown, shown.contains("bridge"));
        String mac = ns.call(() -> {
            try (LinkOps links = LinkOps.open()) {
                return links.find("ks-br1").orElseThrow().hardwareAddress();
            }
        });
        assertTrue(shown, shown.contains("link/ether " + mac));

        ns.run(() -> {
            try (LinkOps links = LinkOps.open()) {
                links.setUp("ks-br1", false);
                assertFalse(links.find("ks-br1").orElseThrow().up());
                links.delete("ks-br1");
                links.delete("ks-br1"); // missing is fine
                assertTrue(links.find("ks-br1").isEmpty());
            }
        });
        assertFalse(ns.ip("link", "show").contains("ks-br1"));
    }

    @Test
    public void vethAndMissingKind() {
        ns.run(() -> {
            try (LinkOps links = LinkOps.open()) {
                links.create("ks-veth0", "veth");
                assertEquals("veth", links.find("ks-veth0").orElseThrow().kind());
                NetworkException e = assertThrows(NetworkException.class, () -> links.create("ks-dummy9", "dummy"));
                assertEquals(95, e.errno());
                assertTrue(e.getMessage(), e.getMessage().contains("Unknown device type"));
                assertThrows(NetworkException.class, () -> links.setMtu("ks-nosuch", 1400));
            }
        });
        assertTrue(ns.ip("-d", "link", "show", "ks-veth0").contains("veth"));
        ns.run(() -> {
            try (LinkOps links = LinkOps.open()) {
                links.delete("ks-veth0");
            }
        });
        assertFalse(ns.ip("link", "show").contains("ks-veth0"));
    }

    @Test
    public void addressesAddListRemove() {
        ns.ip("link", "add", "ks-br2", "type", "bridge");
        ns.ip("link", "set", "ks-br2", "up");
        IpPrefix v6 = IpPrefix.parse("fd7a:6b5c:9d01::1/64");
        IpPrefix v4 = IpPrefix.parse("10.78.0.1/24");
        List<AddressInfo> listed = inNs(net -> {
            net.addAddress("ks-br2", v6);
            net.addAddress("ks-br2", v6); // present: success
            net.addAddress("ks-br2", v4);
            return net.addresses();
        });
        assertTrue(listed.toString(), listed.stream().anyMatch(a -> a.linkName().equals("ks-br2") && a.prefix().equals(v6)
                && a.scope() == AddressInfo.SCOPE_GLOBAL));
        assertTrue(listed.toString(), listed.stream().anyMatch(a -> a.linkName().equals("ks-br2") && a.prefix().equals(v4)));
        String shown = squash(ns.ip("addr", "show", "dev", "ks-br2"));
        // nodad and permanent: never "tentative", lifetimes "forever"
        assertTrue(shown, shown.contains(
                "inet6 fd7a:6b5c:9d01::1/64 scope global nodad valid_lft forever preferred_lft forever"));
        assertTrue(shown, shown.contains("inet 10.78.0.1/24 scope global ks-br2"));

        List<AddressInfo> after = inNs(net -> {
            net.removeAddress("ks-br2", v6);
            net.removeAddress("ks-br2", v6); // missing: success
            net.removeAddress("ks-br2", v4);
            net.removeAddress("ks-nosuch", v4); // missing link: success
            return net.addresses();
        });
        assertTrue(after.stream().noneMatch(a -> a.linkName().equals("ks-br2") && !a.prefix().address().isLinkLocalAddress()));
        shown = ns.ip("addr", "show", "dev", "ks-br2");
        assertFalse(shown, shown.contains("fd7a:6b5c:9d01::1") || shown.contains("10.78.0.1"));
        assertThrows(NetworkException.class, () -> inNs(net -> {
            net.addAddress("ks-nosuch", v4);
            return null;
        }));
        ns.ip("link", "del", "ks-br2");
    }

    @Test
    public void routesInTable180AndAbove255() {
        ns.ip("link", "add", "ks-br3", "type", "bridge");
        ns.ip("link", "set", "ks-br3", "up");
        Route v6 = new Route(IpPrefix.parse("::/0"), "ks-br3", 180, 1, 1380);
        Route v4 = new Route(IpPrefix.parse("0.0.0.0/0"), "ks-br3", 180, 1, 1380);
        Route big = new Route(IpPrefix.parse("192.0.2.0/24"), "ks-br3", 1000, 5, 0);
        List<Route> listed = inNs(net -> {
            net.addRoute(v6);
            net.addRoute(v6); // replace: still one
            net.addRoute(v4);
            net.addRoute(big);
            return net.routes(180);
        });
        assertEquals(Set.of(v6, v4), new HashSet<>(listed));
        assertEquals(2, listed.size());
        assertEquals("default dev ks-br3 proto static metric 1 mtu 1380 pref medium",
                squash(ns.ip("-6", "route", "show", "table", "180")).trim());
        assertEquals("default dev ks-br3 proto static metric 1 mtu 1380",
                squash(ns.ip("-4", "route", "show", "table", "180")).trim());
        assertTrue(ns.ip("route", "show", "table", "1000").contains("192.0.2.0/24 dev ks-br3 proto static metric 5"));

        // another metric for the same destination replaces the route instead of adding a second
        Route v6metric2 = new Route(IpPrefix.parse("::/0"), "ks-br3", 180, 2, 1280);
        List<Route> replaced = inNs(net -> {
            net.addRoute(v6metric2);
            return net.routes(180);
        });
        assertEquals(Set.of(v6metric2, v4), new HashSet<>(replaced));
        assertEquals("default dev ks-br3 proto static metric 2 mtu 1280 pref medium",
                squash(ns.ip("-6", "route", "show", "table", "180")).trim());

        List<Route> empty = inNs(net -> {
            net.removeRoute(v6metric2);
            net.removeRoute(v6metric2); // missing: success
            net.removeRoute(v4);
            net.removeRoute(big);
            assertEquals(List.of(), net.routes(1000));
            return net.routes(180);
        });
        assertEquals(List.of(), empty);
        assertEquals("", ns.ip("-6", "route", "show", "table", "180").trim());
        assertEquals("", ns.ip("-4", "route", "show", "table", "180").trim());
        ns.ip("link", "del", "ks-br3");
    }

    @Test
    public void kubeSpanRulesAreTaggedListedAndRemoved() {
        ns.ip("rule", "add", "fwmark", "0x40/0x60", "lookup", "1000", "pref", "32400"); // not ours
        List<Rule> ours = List.of(
                Rule.builder(false).priority(32500).table(180).fwmark(0x20, 0x20).invert().build(),
                Rule.builder(true).priority(32500).table(180).fwmark(0x20, 0x20).invert().build(),
                Rule.builder(false).priority(32490).table(Rule.TABLE_MAIN).ipProto(Rule.IPPROTO_TCP)
                        .sport(PortRange.of(3000)).build(),
                Rule.builder(true).priority(32490).table(Rule.TABLE_MAIN).ipProto(Rule.IPPROTO_TCP)
                        .sport(PortRange.of(3000)).build());
        List<Rule> listed = inNs(net -> {
            for (Rule r : ours) {
                net.addRule(r);
                net.addRule(r); // present (EEXIST): success, and no duplicate
            }
            return net.rules();
        });
        assertEquals(Set.copyOf(ours), new HashSet<>(listed));
        assertEquals(4, listed.size());
        for (String family : new String[] {"-4", "-6"}) {
            String shown = squash(ns.ip(family, "rule", "show"));
            assertTrue(shown, shown.contains("32490: from all ipproto tcp sport 3000 lookup main proto 75"));
            assertTrue(shown, shown.contains("32500: not from all fwmark 0x20/0x20 lookup 180 proto 75"));
            assertEquals(shown, 1, shown.split("32500:").length - 1);
        }

        List<Rule> after = inNs(net -> {
            for (Rule r : ours) {
                net.removeRule(r);
                net.removeRule(r); // missing: success
            }
            return net.rules();
        });
        assertEquals(List.of(), after);
        String shown = ns.ip("rule", "show") + ns.ip("-6", "rule", "show");
        assertFalse(shown, shown.contains("32500") || shown.contains("32490"));
        assertTrue("the administrator's rule is left alone: " + shown, shown.contains("32400"));
        ns.ip("rule", "del", "pref", "32400");
    }

    @Test
    public void genericNetlinkFamilies() {
        GenlFamily ctrl = ns.call(() -> GenlFamilyResolver.lookup("nlctrl")).orElseThrow();
        assertEquals(16, ctrl.id());
        assertTrue(ns.call(() -> GenlFamilyResolver.lookup("ks-nosuchfam")).isEmpty());
    }

    @Test
    public void onChangeFiresOnLinkAndAddressChangesAndClosesCleanly() throws Exception {
        int before = ns.call(RtnlNetnsTest::ourNetlinkSockets);
        NetlinkNetwork net = ns.call(() -> new NetlinkNetwork(silentLogger()));
        try {
            assertEquals("request socket + subscription", before + 2, (int) ns.call(RtnlNetnsTest::ourNetlinkSockets));
            AtomicInteger firstCalls = new AtomicInteger();
            CountDownLatch first = new CountDownLatch(1);
            Watch w1 = net.onChange(() -> {
                firstCalls.incrementAndGet();
                first.countDown();
            });
            ns.ip("link", "add", "ks-br4", "type", "bridge");
            assertTrue("no change callback after a link was added", first.await(10, TimeUnit.SECONDS));

            CountDownLatch second = new CountDownLatch(1);
            net.onChange(second::countDown);
            w1.close();
            int callsBeforeClose = firstCalls.get();
            ns.ip("addr", "add", "10.79.0.1/24", "dev", "ks-br4");
            assertTrue("no change callback after an address was added", second.await(10, TimeUnit.SECONDS));
            // Listeners of one round run in order on one thread, so a closed watch had its chance.
            assertEquals(callsBeforeClose, firstCalls.get());
        } finally {
            net.deactivate();
            ns.ip("link", "del", "ks-br4");
        }
        assertEquals("both sockets closed on deactivate", before, (int) ns.call(RtnlNetnsTest::ourNetlinkSockets));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("kubespan-netlink-monitor") && t.isAlive()));
    }

    @Test
    public void socketRequestsFromSeveralThreadsAreSerialized() throws Exception {
        NetlinkSocket socket = ns.call(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE));
        try (socket; LinkOps links = LinkOps.over(socket)) {
            List<Thread> threads = new java.util.ArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    for (int j = 0; j < 50; j++) {
                        try {
                            if (links.list().stream().noneMatch(l -> l.name().equals("lo"))) {
                                failures.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, failures.get());
        }
        assertFalse(socket.isOpen());
    }

    /** Netlink sockets of this process in the calling thread's namespace. */
    private static int ourNetlinkSockets() throws Exception {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (Exception gone) {
                    // the fd was closed while listing
                }
            });
        }
        int n = 0;
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/net/netlink"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && inodes.contains(f[f.length - 1])) {
                n++;
            }
        }
        return n;
    }

    static Logger silentLogger() {
        return OsgiLogger.of(new RecordingLog());
    }
}
