package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.KS_ADDRESS;
import static dev.kubespan.manager.internal.Fixtures.LOCAL_PRIVATE;
import static dev.kubespan.manager.internal.Fixtures.SECRET;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.Specs;

public class DeviceControllerTest {
    private static final Key P1 = Key.generatePrivateKey().publicKey();
    private static final Key P2 = Key.generatePrivateKey().publicKey();
    private static final Duration GRACE = Duration.ofSeconds(120);
    private static final Endpoint X = Endpoint.parse("192.0.2.1:51820");
    private static final Endpoint Y = Endpoint.parse("198.51.100.9:40000");
    private static final Endpoint Z = Endpoint.parse("203.0.113.5:51820");

    private ControllerHarness h = new ControllerHarness();
    private InMemoryResourceStore store = h.store;
    private RecordingLog log = h.log;
    private FakeKernel kernel;
    private RunningController device;

    @Before
    public void setUp() {
        kernel = new FakeKernel();
        inputs();
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32", "192.168.10.0/24", "fd7f:175a:b97c:5602::1/128"),
                "node-1");
        spec(P2, "fd7f:175a:b97c:5602::2", List.of("10.0.0.2/32", "2001:db8::2/128", "fd7f:175a:b97c:5602::2/128"),
                "node-2");
        // the status controller has seen both, neither has candidates of its own choosing yet
        status(P1, "", "", PeerState.UNKNOWN);
        status(P2, "", "", PeerState.UNKNOWN);
    }

    @After
    public void tearDown() {
        h.close();
    }

    private void inputs() {
        Fixtures.putConfig(store, Fixtures.config().build());
        Fixtures.putIdentity(store);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443", "10.0.0.53:3000"));
    }

    private void startDevice() {
        device = h.start(new DeviceController(kernel, kernel, kernel, h.scheduler.nanoTime(), GRACE));
    }

    /** One pass, as after any change of an input. */
    private void reconcile() {
        if (device == null) {
            startDevice();
        } else {
            h.pass(device);
        }
    }

    private void spec(Key key, String address, List<String> allowed, String label) {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, key.toBase64(),
                Specs.peerSpec(address, allowed, List.of("192.0.2.1:51820"), label), Owners.PEER_SPEC);
    }

    private void status(Key key, String endpoint, String lastUsed, PeerState state) {
        status(key, endpoint, lastUsed, state, null);
    }

    /** A status as the status controller writes it; {@code decided} is the time of its endpoint decision. */
    private void status(Key key, String endpoint, String lastUsed, PeerState state, Instant decided) {
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, key.toBase64(),
                new KubeSpanPeerStatus(endpoint, "x", state, 0, 0, null, lastUsed, decided), "test-status");
    }

    private Set<String> routeDestinations() {
        return kernel.routes.stream().map(r -> r.destination().toString()).collect(Collectors.toSet());
    }

    private static Rule exempt(boolean v6, Integer sport, Integer dport) {
        return Rule.builder(v6).priority(32490).table(Rule.TABLE_MAIN).ipProto(Rule.IPPROTO_TCP)
                .sport(sport == null ? null : PortRange.of(sport)).dport(dport == null ? null : PortRange.of(dport))
                .build();
    }

    private static Rule force(boolean v6) {
        return Rule.builder(v6).priority(32500).table(180).fwmark(0x20, 0x20).invert().build();
    }

    @Test
    public void firstReconcileBuildsLinkPeersAddressRoutesAndRules() {
        reconcile();
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
        assertNull("no endpoint decided: the manager never invents one", p1.endpoint());

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
        reconcile();
        kernel.resetCalls();
        reconcile();
        reconcile();
        assertEquals(kernel.calls.toString(), 0, kernel.mutations());
        assertTrue("it did look", kernel.calls("read") > 0 && kernel.calls("routes") > 0 && kernel.calls("rules") > 0);
    }

    @Test
    public void changedSpecIsAppliedAsOneDiff() {
        reconcile();
        kernel.resetCalls();
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32", "fd7f:175a:b97c:5602::1/128"), "node-1");
        reconcile();
        assertEquals(1, kernel.calls("apply"));
        assertEquals(1, kernel.calls("removeRoute"));
        assertEquals(0, kernel.calls("addRoute"));
        assertEquals(0, kernel.calls("ensureLink"));
        assertFalse(routeDestinations().contains("192.168.10.0/24"));

        kernel.resetCalls();
        store.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, P2.toBase64(), Owners.PEER_SPEC);
        h.advance(GRACE); // after start-up, a peer without a spec is removed
        reconcile();
        assertEquals(1, kernel.calls("apply"));
        assertEquals(Set.of(P1), kernel.peers.keySet());
        assertEquals(Set.of("10.0.0.1/32"), routeDestinations());
    }

    @Test
    public void theStartUpGraceLastsItsTimeThoughTheWallClockStepsForward() {
        reconcile();
        store.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, P2.toBase64(), Owners.PEER_SPEC);
        h.scheduler.stepWallClock(Duration.ofHours(1)); // a first NTP sync at boot
        reconcile();
        assertTrue("a peer without a spec is kept for the " + GRACE.toSeconds() + " s of grace",
                kernel.peers.containsKey(P2));
        h.advance(GRACE);
        reconcile();
        assertEquals(Set.of(P1), kernel.peers.keySet());
    }

    @Test
    public void bypassRoutesOnlyPeersThatAreUp() {
        Fixtures.putConfig(store, Fixtures.config().forceRouting(false).build());
        reconcile();
        assertEquals(Set.of(), routeDestinations());
        assertTrue("the rules are there regardless", kernel.rules.contains(force(false)));

        status(P2, "192.0.2.1:51820", "192.0.2.1:51820", PeerState.UP);
        status(P1, "", "192.0.2.1:51820", PeerState.DOWN);
        reconcile();
        assertEquals(Set.of("10.0.0.2/32", "2001:db8::2/128"), routeDestinations());

        status(P2, "192.0.2.1:51820", "192.0.2.1:51820", PeerState.DOWN);
        reconcile();
        assertEquals(Set.of(), routeDestinations());

        Fixtures.putConfig(store, Fixtures.config().forceRouting(true).build());
        reconcile();
        assertEquals(4, kernel.routes.size());
    }

    @Test
    public void aPeerIsAddedOnlyOnceItsStatusExists() {
        Key p3 = Key.generatePrivateKey().publicKey();
        reconcile();
        spec(p3, "fd7f:175a:b97c:5602::3", List.of("fd7f:175a:b97c:5602::3/128"), "node-3");
        reconcile();
        assertFalse("no status, no endpoint decision yet: not on the device", kernel.hasPeer(p3));
        status(p3, "", "192.0.2.1:51820", PeerState.UNKNOWN, h.now());
        h.settle();
        assertTrue("the status write alone brings it in", kernel.hasPeer(p3));
        assertEquals("with its first endpoint from the start", X, kernel.endpointOf(p3));
    }

    @Test
    public void eachEndpointDecisionIsWrittenOnceAndARoamLeftAlone() {
        reconcile();
        Instant decided = h.now();
        status(P1, "", X.toString(), PeerState.UNKNOWN, decided);
        h.settle();
        assertEquals(X, kernel.endpointOf(P1));
        assertEquals(X, lastApplied(P1).endpoint());
        h.advance(EndpointDecisions.INITIATION_HOLD); // whichever key is bigger, the first initiation is out

        // WireGuard roamed to Y (the peer reached us from there); the status saw it, the decision is the same
        kernel.setEndpoint(P1, Y);
        status(P1, Y.toString(), X.toString(), PeerState.UP, decided);
        kernel.resetCalls();
        h.settle();
        spec(P1, "fd7f:175a:b97c:5602::1", List.of("10.0.0.1/32"), "node-1"); // forces an apply
        h.settle();
        assertEquals(1, kernel.calls("apply"));
        assertNull("a decision already applied is not written again", lastApplied(P1).endpoint());
        assertEquals("the roamed endpoint survives", Y, kernel.endpointOf(P1));

        // a new decision (the peer went down, the status rotated): written even though the device has another
        h.advance(Duration.ofSeconds(5));
        status(P1, Y.toString(), Z.toString(), PeerState.UNKNOWN, h.now());
        h.settle();
        assertEquals(Z, kernel.endpointOf(P1));
    }

    /** wireguard-go SIGKILLed and restarted by the backend: its new device has no peers (issue 16). */
    @Test
    public void aDeviceThatLostItsPeersGetsTheirDecidedEndpointsAgainAtOnce() {
        reconcile();
        Instant decided = h.now();
        status(P1, "", X.toString(), PeerState.UNKNOWN, decided);
        h.settle();
        h.advance(EndpointDecisions.INITIATION_HOLD);
        status(P1, X.toString(), X.toString(), PeerState.UP, decided);
        h.settle();
        assertEquals(X, kernel.endpointOf(P1));

        kernel.deleteLink("kubespan"); // the daemon's link went with it; the restarted one is empty
        status(P1, X.toString(), X.toString(), PeerState.UNKNOWN, decided);
        h.settle();
        assertTrue(kernel.hasPeer(P1));
        assertEquals("the same decision, written again without waiting for a new one", X, kernel.endpointOf(P1));
    }

    @Test
    public void aRestartAdoptsWhatTheDeviceHasAndWritesOnlyWhatIsNotThere() {
        status(P1, "", X.toString(), PeerState.UNKNOWN, h.now());
        status(P2, "", X.toString(), PeerState.UNKNOWN, h.now());
        reconcile();
        // P1 roamed to Y and is up; P2's newest decision (Z) never reached the device before the restart
        kernel.setEndpoint(P1, Y);
        status(P1, Y.toString(), X.toString(), PeerState.UP, h.now());
        status(P2, "", Z.toString(), PeerState.DOWN, h.now());
        device.close();
        device = null;
        kernel.resetCalls();
        reconcile();
        assertEquals("up and working: left as it is", Y, kernel.endpointOf(P1));
        assertEquals("a decision the device does not have yet is written", Z, kernel.endpointOf(P2));
        assertNull(lastApplied(P1).endpoint());
    }

    @Test
    public void onlyTheNodeWithTheSmallerKeyInitiatesAtOnce() {
        Key ours = LOCAL_PRIVATE.publicKey();
        Key smaller = keyOrdered(ours, true);
        Key bigger = keyOrdered(ours, false);
        spec(smaller, "fd7f:175a:b97c:5602::5", List.of("fd7f:175a:b97c:5602::5/128"), "small");
        spec(bigger, "fd7f:175a:b97c:5602::6", List.of("fd7f:175a:b97c:5602::6/128"), "big");
        Instant decided = h.now();
        status(smaller, "", X.toString(), PeerState.UNKNOWN, decided);
        status(bigger, "", Z.toString(), PeerState.UNKNOWN, decided);
        reconcile();
        assertEquals("ours is the smaller key: we initiate at once", Duration.ofSeconds(25), kernel.keepaliveOf(bigger));
        assertEquals("ours is the bigger key: no keepalive (no initiation) yet", Duration.ZERO,
                kernel.keepaliveOf(smaller));
        assertEquals(X, kernel.endpointOf(smaller));

        h.advance(EndpointDecisions.INITIATION_HOLD.minusMillis(1));
        assertEquals(Duration.ZERO, kernel.keepaliveOf(smaller));
        h.advance(Duration.ofMillis(1));
        assertEquals("the hold ends on its own wake-up", Duration.ofSeconds(25), kernel.keepaliveOf(smaller));
        assertEquals(X, kernel.endpointOf(smaller));
    }

    @Test
    public void aHandshakeDuringTheHoldEndsItAtOnce() {
        Key smaller = keyOrdered(LOCAL_PRIVATE.publicKey(), true);
        spec(smaller, "fd7f:175a:b97c:5602::5", List.of("fd7f:175a:b97c:5602::5/128"), "small");
        status(smaller, "", X.toString(), PeerState.UNKNOWN, h.now());
        reconcile();
        assertEquals(Duration.ZERO, kernel.keepaliveOf(smaller));
        status(smaller, X.toString(), X.toString(), PeerState.UP, h.now());
        h.settle();
        assertEquals(Duration.ofSeconds(25), kernel.keepaliveOf(smaller));
    }

    /** A fresh public key that sorts (unsigned bytes) before {@code than} when {@code smaller}, else after it. */
    private static Key keyOrdered(Key than, boolean smaller) {
        while (true) {
            Key k = Key.generatePrivateKey().publicKey();
            int c = Arrays.compareUnsigned(k.bytes(), than.bytes());
            if (smaller ? c < 0 : c > 0) {
                return k;
            }
        }
    }

    private PeerConfig lastApplied(Key key) {
        DeviceConfig c = kernel.applied.get(kernel.applied.size() - 1);
        return c.peers().stream().filter(p -> p.publicKey().equals(key)).findFirst().orElseThrow();
    }

    @Test
    public void disableRemovesEverythingAndEnableRestoresIt() {
        reconcile();
        Fixtures.putConfig(store, Fixtures.config().enabled(false).build());
        reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.routes.isEmpty());
        assertTrue(kernel.rules.isEmpty());
        assertTrue(kernel.linkAddresses.isEmpty());

        kernel.resetCalls();
        reconcile();
        assertEquals("disabled and already clean: nothing to do", 0, kernel.mutations());

        Fixtures.putConfig(store, Fixtures.config().build());
        reconcile();
        assertTrue(kernel.linkPresent);
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(4, kernel.routes.size());
        assertEquals(10, kernel.rules.size());
        assertEquals(1, kernel.linkAddresses.size());
    }

    @Test
    public void removedConfigTearsDownOnceSeen() {
        reconcile();
        store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, "kubespan", "test-config");
        reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.rules.isEmpty());
    }

    /** A container restart: a new store (empty until the config and the affiliates arrive) and a new controller. */
    private void restartContainer() {
        device.close();
        h.close();
        h = new ControllerHarness(h.now());
        store = h.store;
        log = h.log;
        device = null;
    }

    @Test
    public void restartAdoptsARunningTunnelWithoutCuttingIt() {
        status(P1, "", X.toString(), PeerState.UNKNOWN, h.now());
        status(P2, "", X.toString(), PeerState.UNKNOWN, h.now());
        reconcile();
        assertEquals(X, kernel.endpointOf(P1));
        Set<Route> routes = Set.copyOf(kernel.routes);
        Set<Rule> rules = Set.copyOf(kernel.rules);

        restartContainer();
        kernel.resetCalls();
        reconcile();
        assertEquals("missing config during start-up removes nothing", 0, kernel.mutations());

        inputs();
        h.settle();
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(X, kernel.endpointOf(P1));
        assertEquals(routes, Set.copyOf(kernel.routes));
        assertEquals(rules, Set.copyOf(kernel.rules));
        assertEquals("only the one confirming apply", 1, kernel.mutations());

        h.advance(GRACE);
        assertTrue("after the grace period peers without specs go, on the controller's own wake-up",
                kernel.peers.isEmpty());
        assertTrue(kernel.routes.isEmpty());
        assertEquals(10, kernel.rules.size());
    }

    @Test
    public void missingConfigAfterTheGracePeriodTearsDown() {
        reconcile();
        restartContainer();
        reconcile();
        assertTrue(kernel.linkPresent);
        h.advance(GRACE);
        assertFalse(kernel.linkPresent);
        assertTrue(kernel.routes.isEmpty());
        assertTrue(kernel.rules.isEmpty());
    }

    @Test
    public void mtuChangeResizesLinkAndRoutes() {
        reconcile();
        kernel.resetCalls();
        Fixtures.putConfig(store, Fixtures.config().mtu(1380).build());
        reconcile();
        assertEquals(1, kernel.calls("ensureLink"));
        assertEquals(1380, kernel.linkMtu);
        assertEquals(4, kernel.calls("addRoute"));
        assertEquals(0, kernel.calls("removeRoute"));
        assertTrue(kernel.routes.stream().allMatch(r -> r.mtu() == 1380));
        assertEquals(0, kernel.calls("apply"));
    }

    @Test
    public void discoveryPortChangeMovesTheExemption() {
        reconcile();
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:8443"));
        reconcile();
        assertTrue(kernel.rules.contains(exempt(false, null, 8443)));
        assertTrue(kernel.rules.contains(exempt(true, 8443, null)));
        assertFalse(kernel.rules.contains(exempt(false, null, 443)));
        assertFalse(kernel.rules.contains(exempt(true, null, 3000)));
        assertEquals(6, kernel.rules.size());
    }

    @Test
    public void listenPortChangeIsApplied() {
        reconcile();
        Fixtures.putConfig(store, Fixtures.config().listenPort(51999).build());
        reconcile();
        assertEquals(51999, kernel.listenPort);
    }

    @Test
    public void linkDeletedBehindOurBackIsRebuilt() {
        reconcile();
        kernel.deleteLink("kubespan");
        reconcile();
        assertTrue(kernel.linkPresent);
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertEquals(4, kernel.routes.size());
        assertEquals(1, kernel.linkAddresses.size());
    }

    @Test
    public void staleKubeSpanAddressIsReplaced() {
        reconcile();
        kernel.linkAddresses.add(IpPrefix.parse("fd11:2233:4455:6602::99/64"));
        reconcile();
        assertEquals(Set.of(IpPrefix.parse(KS_ADDRESS + "/64")), kernel.linkAddresses);
    }

    @Test
    public void waitsForTheIdentity() {
        store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, "local", "test-identity");
        reconcile();
        assertEquals(0, kernel.mutations());
    }

    @Test
    public void badSecretIsAClearErrorWithoutTheSecret() {
        String secret = "c2hvcnQ="; // base64 of "short"
        Fixtures.putConfig(store, Fixtures.config().sharedSecret(secret).build());
        reconcile();
        List<String> errors = log.at("ERROR");
        assertEquals(errors.toString(), 1, errors.size());
        assertTrue(errors.get(0), errors.get(0).contains("sharedSecret"));
        assertFalse(errors.get(0).contains(secret));
        assertEquals(0, kernel.calls("apply"));
        assertTrue("retried with backoff", device.nextWake().orElseThrow().isBefore(h.now().plusSeconds(1)));
    }

    @Test
    public void invalidPeerSpecIdIsSkipped() {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, "garbage",
                Specs.peerSpec("fd00::9", List.of("10.9.9.9/32"), List.of(), "bad"), Owners.PEER_SPEC);
        reconcile();
        assertEquals(Set.of(P1, P2), kernel.peers.keySet());
        assertTrue(log.warned("garbage"));
        assertFalse(routeDestinations().contains("10.9.9.9/32"));
    }

    @Test
    public void netlinkFailureIsRetriedAndNothingIsLost() {
        kernel.failNext = new NetworkException("netlink: Operation not permitted", 1);
        reconcile();
        assertFalse(kernel.linkPresent);
        assertTrue(log.at("ERROR").toString(), log.at("ERROR").get(0).contains("Operation not permitted"));
        h.advance(Duration.ofSeconds(1)); // the retry comes on its own
        assertTrue(kernel.linkPresent);
        assertEquals(4, kernel.routes.size());
    }

    @Test
    public void routesRemovedBehindOurBackAreRestored() {
        reconcile();
        kernel.routes.clear();
        kernel.rules.remove(force(true));
        kernel.resetCalls();
        reconcile();
        assertEquals(4, kernel.calls("addRoute"));
        assertEquals(1, kernel.calls("addRule"));
        assertEquals(0, kernel.calls("apply"));
    }
}
