package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.KS_ADDRESS;
import static dev.kubespan.manager.internal.Fixtures.LOCAL_PRIVATE;
import static dev.kubespan.manager.internal.Fixtures.SECRET;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;

public class DeviceControllerTest {
    private static final Key P1 = Key.generatePrivateKey().publicKey();
    private static final Key P2 = Key.generatePrivateKey().publicKey();
    private static final Duration GRACE = Duration.ofSeconds(120);

    private final RecordingLog log = new RecordingLog();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private TestStore store;
    private FakeKernel kernel;
    private DeviceController device;

    @Before
    public void setUp() {
        store = new TestStore();
        kernel = new FakeKernel();
        device = newController();
        Fixtures.putConfig(store, Fixtures.config().build());
        Fixtures.putIdentity(store);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443", "10.0.0.53:3000"));
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32", "192.168.10.0/24", "fd7f:175a:b97c:5602::1/128"),
                "node-1");
        spec(P2, "fd7f:175a:b97c:5602::2", List.of("10.0.0.2/32", "2001:db8::2/128", "fd7f:175a:b97c:5602::2/128"),
                "node-2");
    }

    private DeviceController newController() {
        return new DeviceController(store, kernel, kernel, kernel, clock, GRACE, log);
    }

    private void spec(Key key, String address, List<String> allowed, String label) {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, key.toBase64(),
                new KubeSpanPeerSpec(address, allowed, List.of("192.0.2.1:51820"), label), Owners.PEER_SPEC);
    }

    private void status(Key key, String endpoint, String lastUsed, PeerState state) {
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, key.toBase64(),
                new KubeSpanPeerStatus(endpoint, "x", state, 0, 0, null, lastUsed, null), "test-status");
    }

    private Set<String> routeDestinations() {
        return kernel.routes.stream().map(r -> r.destination().toString()).collect(Collectors.toSet());
    }

    private static Rule exempt(boolean v6, Integer sport, Integer dport) {
        return new Rule(v6, 32490, Rule.TABLE_MAIN, 0, 0, false, Rule.IPPROTO_TCP,
                sport == null ? null : PortRange.of(sport), dport == null ? null : PortRange.of(dport));
    }

    private static Rule force(boolean v6) {
        return new Rule(v6, 32500, 180, 0x20, 0x20, true, 0, null, null);
    }

    @Test
    public void firstReconcileBuildsLinkPeersAddressRoutesAndRules() {
        device.reconcile();
        assertEquals(1, kernel.calls("ensureLink"));
        assertTrue(kernel.linkPresent);
        assertEquals(1420, kernel.linkMtu);

        assertEquals(1, kernel.applied.size());
        DeviceConfig applied = kernel.applied.get(0);
        assertEquals(LOCAL_PRIVATE, applied.privateKey());
        assertEquals(51820, applied.listenPort());
        assertEquals(0x20, applied.fwmark());
        List<String> keys = applied.peers().stream().map(p -> p.publicKey().toBase64()).toList();
        assertEquals("peers sorted by key", keys.stream().sorted().toList(), keys);
        PeerConfig p1 = applied.peers().stream().filter(p -> p.publicKey().equals(P1)).findFirst().orElseThrow();
        assertEquals(Key.fromBase64(SECRET), p1.presharedKey());
        assertEquals(Duration.ofSeconds(25), p1.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse("10.0.0.1/32"), IpPrefix.parse("192.168.10.0/24"),
                IpPrefix.parse("fd7f:175a:b97c:5602::1/128")), p1.allowedIPs());
        assertNull("no status yet: the manager never invents an endpoint", p1.endpoint());

        assertEquals(Set.of(IpPrefix.parse(KS_ADDRESS + "/64")), kernel.linkAddresses);

        // forced routing: every peer's allowed IPs except the KubeSpan ULAs
        assertEquals(Set.of("10.0.0.1/32", "10.0.0.2/32", "192.168.10.0/24", "2001:db8::2/128"), routeDestinations());
        for (Route r : kernel.routes) {
            assertEquals("kubespan", r.link());
            assertEquals(180, r.table());
            assertEquals(1, r.metric());
            assertEquals(1420, r.mtu());
        }
        assertEquals(Set.of(force(false), force(true),
                exempt(false, null, 443), exempt(false, 443, null), exempt(true, null, 443), exempt(true, 443, null),
                exempt(false, null, 3000), exempt(false, 3000, null), exempt(true, null, 3000),
                exempt(true, 3000, null)), kernel.rules);
    }

    @Test
    public void unchangedSecondReconcileTouchesNothing() {
        device.reconcile();
        kernel.resetCalls();
        device.reconcile();
        device.reconcile();
        assertEquals(kernel.calls.toString(), 0, kernel.mutations());
        assertTrue("it did look", kernel.calls("read") > 0 && kernel.calls("routes") > 0 && kernel.calls("rules") > 0);
    }

    @Test
    public void changedSpecIsAppliedAsOneDiff() {
        device.reconcile();
        kernel.resetCalls();
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32", "fd7f:175a:b97c:5602::1/128"), "node-1");
        device.reconcile();
        assertEquals(1, kernel.calls("apply"));
        assertEquals(1, kernel.calls("removeRoute"));
        assertEquals(0, kernel.calls("addRoute"));
        assertEquals(0, kernel.calls("ensureLink"));
        assertFalse(routeDestinations().contains("192.168.10.0/24"));

        kernel.resetCalls();
        store.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, P2.toBase64());
        clock.advance(GRACE); // after start-up, a peer without a spec is removed
        device.reconcile();
        assertEquals(1, kernel.calls("apply"));
        assertEquals(Set.of(P1), kernel.peers.keySet());
        assertEquals(Set.of("10.0.0.1/32"), routeDestinations());
    }

    @Test
    public void bypassRoutesOnlyPeersThatAreUp() {
        Fixtures.putConfig(store, Fixtures.config().forceRouting(false).build());
        device.reconcile();
        assertEquals(Set.of(), routeDestinations());
        assertTrue("the rules are there regardless", kernel.rules.contains(force(false)));

        status(P2, "192.0.2.1:51820", "192.0.2.1:51820", PeerState.UP);
        status(P1, "", "192.0.2.1:51820", PeerState.DOWN);
        device.reconcile();
        assertEquals(Set.of("10.0.0.2/32", "2001:db8::2/128"), routeDestinations());

        status(P2, "192.0.2.1:51820", "192.0.2.1:51820", PeerState.DOWN);
        device.reconcile();
        assertEquals(Set.of(), routeDestinations());

        Fixtures.putConfig(store, Fixtures.config().forceRouting(true).build());
        device.reconcile();
        assertEquals(4, kernel.routes.size());
    }

    @Test
    public void endpointIsTheStatusChoiceOnlyWhileWireGuardAgrees() {
        Endpoint x = Endpoint.parse("192.0.2.1:51820");
        Endpoint y = Endpoint.parse("198.51.100.9:40000");

        device.reconcile();
        assertNull(kernel.endpointOf(P1));

        // the status bundle chose X and put it on the device itself
        kernel.updateEndpoints("kubespan", Map.of(P1, x));
        status(P1, "", "192.0.2.1:51820", PeerState.UNKNOWN);
        kernel.resetCalls();
        device.reconcile();
        assertEquals("device already has X: nothing to do", 0, kernel.mutations());

        // the device lost it (e.g. link rebuilt): the manager re-asserts lastUsedEndpoint
        kernel.setEndpoint(P1, null);
        device.reconcile();
        assertEquals(x, kernel.endpointOf(P1));
        assertEquals(x, lastApplied(P1).endpoint());

        // WireGuard roamed to Y and the status recorded that: the roamed endpoint survives
        kernel.setEndpoint(P1, y);
        status(P1, "198.51.100.9:40000", "192.0.2.1:51820", PeerState.UP);
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32"), "node-1"); // forces an apply
        device.reconcile();
        assertNull(lastApplied(P1).endpoint());
        assertEquals(y, kernel.endpointOf(P1));
    }

    @Test
    public void freshRotationOnTheDeviceIsNotUndoneByAStaleStatus() {
        Endpoint x = Endpoint.parse("192.0.2.1:51820");
        Endpoint z = Endpoint.parse("203.0.113.5:51820");
        device.reconcile();
        kernel.updateEndpoints("kubespan", Map.of(P1, x));
        status(P1, "192.0.2.1:51820", "192.0.2.1:51820", PeerState.DOWN);
        device.reconcile();
        // the status bundle rotates to Z on the device, its status write is still in flight
        kernel.updateEndpoints("kubespan", Map.of(P1, z));
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32"), "node-1");
        device.reconcile();
        assertNull(lastApplied(P1).endpoint());
        assertEquals(z, kernel.endpointOf(P1));
    }

    private PeerConfig lastApplied(Key key) {
        DeviceConfig c = kernel.applied.get(kernel.applied.size() - 1);
        return c.peers().stream().filter(p -> p.publicKey().equals(key)).findFirst().orElseThrow();
    }

    @Test
    public void disableRemovesEverythingAndEnableRestoresIt() {
        device.reconcile();
        Fixtures.putConfig(store, Fixtures.config().enabled(false).build());
        device.reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.routes.isEmpty());
        assertTrue(kernel.rules.isEmpty());
        assertTrue(kernel.linkAddresses.isEmpty());

        kernel.resetCalls();
        device.reconcile();
        assertEquals("disabled and already clean: nothing to do", 0, kernel.mutations());

        Fixtures.putConfig(store, Fixtures.config().build());
        device.reconcile();
        assertTrue(kernel.linkPresent);
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(4, kernel.routes.size());
        assertEquals(10, kernel.rules.size());
        assertEquals(1, kernel.linkAddresses.size());
    }

    @Test
    public void removedConfigTearsDownOnceSeen() {
        device.reconcile();
        store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, "kubespan");
        device.reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.rules.isEmpty());
    }

    @Test
    public void restartAdoptsARunningTunnelWithoutCuttingIt() {
        device.reconcile();
        Endpoint x = Endpoint.parse("192.0.2.1:51820");
        kernel.updateEndpoints("kubespan", Map.of(P1, x, P2, x));
        Set<Route> routes = Set.copyOf(kernel.routes);
        Set<Rule> rules = Set.copyOf(kernel.rules);

        // container restart: empty store, the config and the affiliates arrive later
        store = new TestStore();
        device = newController();
        kernel.resetCalls();
        device.reconcile();
        assertEquals("missing config during start-up removes nothing", 0, kernel.mutations());

        Fixtures.putConfig(store, Fixtures.config().build());
        Fixtures.putIdentity(store);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443", "10.0.0.53:3000"));
        device.reconcile();
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(x, kernel.endpointOf(P1));
        assertEquals(routes, Set.copyOf(kernel.routes));
        assertEquals(rules, Set.copyOf(kernel.rules));
        assertEquals("only the one confirming apply", 1, kernel.mutations());

        clock.advance(GRACE);
        device.reconcile();
        assertTrue("after the grace period peers without specs go", kernel.peers.isEmpty());
        assertTrue(kernel.routes.isEmpty());
        assertEquals(10, kernel.rules.size());
    }

    @Test
    public void missingConfigAfterTheGracePeriodTearsDown() {
        device.reconcile();
        store = new TestStore();
        device = newController();
        clock.advance(GRACE);
        device.reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.routes.isEmpty());
        assertTrue(kernel.rules.isEmpty());
    }

    @Test
    public void mtuChangeResizesLinkAndRoutes() {
        device.reconcile();
        kernel.resetCalls();
        Fixtures.putConfig(store, Fixtures.config().mtu(1380).build());
        device.reconcile();
        assertEquals(1, kernel.calls("ensureLink"));
        assertEquals(1380, kernel.linkMtu);
        assertEquals(4, kernel.calls("addRoute"));
        assertEquals(0, kernel.calls("removeRoute"));
        assertTrue(kernel.routes.stream().allMatch(r -> r.mtu() == 1380));
        assertEquals(0, kernel.calls("apply"));
    }

    @Test
    public void discoveryPortChangeMovesTheExemption() {
        device.reconcile();
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:8443"));
        device.reconcile();
        assertTrue(kernel.rules.contains(exempt(false, null, 8443)));
        assertTrue(kernel.rules.contains(exempt(true, 8443, null)));
        assertFalse(kernel.rules.contains(exempt(false, null, 443)));
        assertFalse(kernel.rules.contains(exempt(true, null, 3000)));
        assertEquals(6, kernel.rules.size());
    }

    @Test
    public void listenPortChangeIsApplied() {
        device.reconcile();
        Fixtures.putConfig(store, Fixtures.config().listenPort(51999).build());
        device.reconcile();
        assertEquals(51999, kernel.listenPort);
    }

    @Test
    public void linkDeletedBehindOurBackIsRebuilt() {
        device.reconcile();
        kernel.deleteLink("kubespan");
        device.reconcile();
        assertTrue(kernel.linkPresent);
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(4, kernel.routes.size());
        assertEquals(1, kernel.linkAddresses.size());
    }

    @Test
    public void staleKubeSpanAddressIsReplaced() {
        device.reconcile();
        kernel.linkAddresses.add(IpPrefix.parse("fd11:2233:4455:6602::99/64"));
        device.reconcile();
        assertEquals(Set.of(IpPrefix.parse(KS_ADDRESS + "/64")), kernel.linkAddresses);
    }

    @Test
    public void waitsForTheIdentity() {
        store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, "local");
        device.reconcile();
        assertEquals(0, kernel.mutations());
    }

    @Test
    public void badSecretIsAClearErrorWithoutTheSecret() {
        String secret = "c2hvcnQ="; // base64 of "short"
        Fixtures.putConfig(store, Fixtures.config().secret(secret).build());
        try {
            device.reconcile();
            fail();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("sharedSecret"));
            assertFalse(e.getMessage().contains(secret));
        }
        assertEquals(0, kernel.calls("apply"));
    }

    @Test
    public void invalidPeerSpecIdIsSkipped() {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, "garbage",
                new KubeSpanPeerSpec("fd00::9", List.of("10.9.9.9/32"), List.of(), "bad"), Owners.PEER_SPEC);
        device.reconcile();
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertTrue(log.warned("garbage"));
        assertFalse(routeDestinations().contains("10.9.9.9/32"));
    }

    @Test
    public void netlinkFailureIsRetriedAndNothingIsLost() {
        kernel.failNext = new NetworkException("netlink: Operation not permitted", 1);
        try {
            device.reconcile();
            fail();
        } catch (NetworkException expected) {
            // the runner logs it; see ControllerRunnerTest
        }
        device.reconcile();
        assertTrue(kernel.linkPresent);
        assertEquals(4, kernel.routes.size());
    }

    @Test
    public void routesRemovedBehindOurBackAreRestored() {
        device.reconcile();
        kernel.routes.clear();
        kernel.rules.remove(force(true));
        kernel.resetCalls();
        device.reconcile();
        assertEquals(4, kernel.calls("addRoute"));
        assertEquals(1, kernel.calls("addRule"));
        assertEquals(0, kernel.calls("apply"));
    }
}
