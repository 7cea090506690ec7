package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.Watch;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.PathProbe;
import dev.kubespan.api.spec.PeerPath;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.Specs;

/**
 * The status controller on the real store and runtime, time moved by the test. Endpoint
 * decisions are observed as the status records them ({@code lastUsedEndpoint} at
 * {@code lastEndpointChange}); the device is the manager's to write, so where a test needs the
 * device to follow a decision it says so ({@link FakeWireGuard#setEndpoint}).
 */
public class PeerStatusControllerTest {
    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration TIMEOUT = KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT;
    private static final Duration TICK = KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL;
    private static final String E1 = "192.0.2.1:51820";
    private static final String E2 = "198.51.100.2:51820";
    private static final String E3 = "[2001:db8::3]:51820";

    private final ControllerHarness h = new ControllerHarness(START);
    private final FakeWireGuard wg = new FakeWireGuard();
    /** Probes sent; a live peer answers each with a keepalive (rx grows), a dead one does not. */
    private final List<java.net.InetAddress> probes = new ArrayList<>();
    private boolean peerAnswers = true;
    private final LivenessProbe probe = new LivenessProbe() {
        @Override
        public void send(java.net.InetAddress to) {
            probes.add(to);
            if (peerAnswers) {
                wg.traffic(key, 32, 33);
            } else {
                wg.traffic(key, 0, 33);
            }
        }

        @Override
        public void close() {
        }
    };
    private final Key key = Key.generatePrivateKey().publicKey();
    private final String id = key.toBase64();
    /** Every endpoint decision of the controller, in order. */
    private final List<String> decisions = new ArrayList<>();
    private Watch decisionWatch;
    private RunningController controller;

    @Before
    public void enable() {
        config(false, null, null, null);
        decisionWatch = h.store.watch(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, this::recordDecision);
    }

    @After
    public void close() {
        decisionWatch.close();
        h.close();
    }

    private final Map<String, Instant> lastDecision = new java.util.HashMap<>();

    private void recordDecision(ResourceEvent<KubeSpanPeerStatus> e) {
        if (e.resource() == null || e.kind() == ResourceEvent.Kind.DESTROYED) {
            return;
        }
        KubeSpanPeerStatus s = e.resource().spec();
        if (!s.lastUsedEndpoint().isEmpty() && !Times.isZero(s.lastEndpointChange())
                && !s.lastEndpointChange().equals(lastDecision.put(e.resource().id(), s.lastEndpointChange()))) {
            decisions.add(s.lastUsedEndpoint());
        }
    }

    private void config(boolean harvest, Duration tick, Duration down, Duration timeout) {
        h.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                KubeSpanConfig.builder().enabled(true).clusterId("cluster").sharedSecret("c2VjcmV0").forceRouting(true)
                        .harvestExtraEndpoints(harvest).peerReconcileInterval(tick).peerDownInterval(down)
                        .endpointConnectionTimeout(timeout).build());
    }

    private void spec(String peerId, String label, String... endpoints) {
        h.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, peerId,
                Specs.peerSpec("fd00::2", List.of("fd00::2/128"), List.of(endpoints), label));
    }

    /** Starts the controller, or runs one more pass of it. Returns when it wants to run next. */
    private Instant pass() {
        if (controller == null) {
            controller = h.start(new PeerStatusController(wg, null, probe));
        } else {
            h.pass(controller);
        }
        return controller.nextWake().orElse(null);
    }

    private KubeSpanPeerStatus status() {
        return h.spec(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id).orElseThrow();
    }

    private Map<String, KubeSpanPeerStatus> statuses() {
        return h.specs(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN);
    }

    private Map<String, KubeSpanEndpoint> endpoints() {
        return h.specs(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN);
    }

    // --- status sync ---

    @Test
    public void aNewPeerGetsAStatusAndItsFirstEndpointAtOnceAndIsProbed() {
        spec(id, "node-b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        Instant wake = pass();
        assertEquals(new KubeSpanPeerStatus("", "node-b", PeerState.UNKNOWN, 0, 0, Times.ZERO, E1, START), status());
        assertEquals(List.of(E1), decisions);
        assertEquals("looked at again right away, for the first handshake", START.plus(HandshakeProbe.FIRST), wake);
    }

    @Test
    public void aPeerWithoutCandidatesStaysUnknownWithoutEndpoint() {
        spec(id, "node-b");
        wg.peer(key, null, null, 0, 0);
        pass();
        assertEquals(new KubeSpanPeerStatus("", "node-b", PeerState.UNKNOWN, 0, 0, Times.ZERO, "", Times.ZERO),
                status());
        h.advance(TIMEOUT.plusSeconds(1));
        long passes = controller.passes();
        h.advance(TICK.minusSeconds(1));
        assertTrue("after the probe, only the tick", controller.passes() - passes <= 1);
        assertEquals(List.of(), decisions);
    }

    @Test
    public void theLabelFollowsTheSpec() {
        spec(id, "old-name", E1);
        pass();
        spec(id, "new-name", E1);
        h.settle();
        assertEquals("new-name", status().label());
    }

    @Test
    public void theLabelFollowsTheSpecEvenWhileTheDeviceCannotBeRead() {
        spec(id, "old-name", E1);
        pass();
        wg.failRead = new WireGuardException("netlink: EPERM", 1);
        spec(id, "new-name", E1);
        h.settle();
        assertEquals("new-name", status().label());
    }

    @Test
    public void aStatusGoesWhenItsSpecGoes() {
        Key other = Key.generatePrivateKey().publicKey();
        spec(id, "b", E1);
        spec(other.toBase64(), "c", E2);
        pass();
        assertEquals(2, statuses().size());
        h.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, other.toBase64());
        h.settle();
        assertEquals(List.of(id), List.copyOf(statuses().keySet()));
    }

    @Test
    public void disablingKubeSpanDeletesEverythingOwnedAndStopsTheTimer() {
        config(true, null, null, null);
        upPeerWithAffiliate();
        assertFalse(statuses().isEmpty());
        assertFalse(endpoints().isEmpty());

        h.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                KubeSpanConfig.builder().clusterId("cluster").sharedSecret("c2VjcmV0").forceRouting(true)
                        .harvestExtraEndpoints(true).build());
        h.settle();
        assertTrue(controller.nextWake().isEmpty());
        assertEquals(Map.of(), statuses());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void aMissingConfigDeletesEverythingOwned() {
        config(true, null, null, null);
        upPeerWithAffiliate();
        h.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        h.settle();
        assertTrue(controller.nextWake().isEmpty());
        assertEquals(Map.of(), statuses());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void aSpecWhoseIdIsNotAKeyIsSkippedWithOneWarning() {
        spec("not-a-key", "x", E1);
        spec(id, "b", E1);
        pass();
        pass();
        pass();
        assertEquals(List.of(id), List.copyOf(statuses().keySet()));
        assertEquals(1, h.log.at("WARN").stream().filter(l -> l.contains("not-a-key")).count());
    }

    // --- polling and state ---

    @Test
    public void theDeviceIsCopiedIntoTheStatus() {
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        pass();
        h.advance(Duration.ofSeconds(2));
        Instant hs = h.now().minusMillis(300);
        wg.peer(key, E1, hs, 1234, 5678);
        pass();
        assertEquals(new KubeSpanPeerStatus(E1, "b", PeerState.UP, 1234, 5678, hs, E1, START), status());
    }

    @Test
    public void aHandshakeIsSeenWithinAFractionOfASecond() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        Instant hs = START.plusMillis(350);
        h.advanceTo(hs);
        wg.setEndpoint(key, E1);
        wg.handshake(key, hs);
        Instant deadline = hs.plus(HandshakeProbe.SLOWEST);
        while (status().state() != PeerState.UP && h.now().isBefore(deadline)) {
            h.advance(Duration.ofMillis(10));
        }
        assertEquals("up without waiting for the connection timeout or a tick", PeerState.UP, status().state());
        assertTrue("seen " + Duration.between(hs, h.now()).toMillis() + " ms after the handshake",
                !h.now().isAfter(hs.plusMillis(200)));
    }

    @Test
    public void aHandshakeAfterTheChangeMakesThePeerUpAndStopsRotation() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        h.advance(Duration.ofSeconds(1));
        wg.handshake(key, h.now());
        h.advance(TIMEOUT.plusSeconds(60));
        assertEquals(PeerState.UP, status().state());
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(E1), decisions);
    }

    @Test
    public void aDeadEndpointIsAbandonedRightAfterTheConnectionTimeout() {
        spec(id, "b", E1, E2, E3);
        wg.peer(key, null, null, 0, 0);
        pass();
        Instant boundary = START.plus(TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN);
        h.advanceTo(boundary.minusMillis(1));
        assertEquals(PeerState.UNKNOWN, status().state());
        assertEquals(List.of(E1), decisions);

        h.advanceTo(boundary);
        assertEquals(new KubeSpanPeerStatus("", "b", PeerState.UNKNOWN, 0, 0, Times.ZERO, E2, boundary), status());
        assertEquals("woken exactly at the boundary, not at the next tick", List.of(E1, E2), decisions);
    }

    @Test
    public void rotationGoesThroughTheCandidatesInOrderAndWrapsAround() {
        spec(id, "b", E1, E2, E3);
        wg.peer(key, null, null, 0, 0);
        pass();
        h.advance(TIMEOUT.multipliedBy(4).plusSeconds(1));
        assertEquals(List.of(E1, E2, E3, E1, E2), decisions);
        assertEquals(E2, status().lastUsedEndpoint());
    }

    @Test
    public void aConfiguredConnectionTimeoutAndTickAreUsed() {
        config(false, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(4));
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        h.advanceTo(START.plusSeconds(4).plus(PeerStateMachine.WAKE_MARGIN));
        assertEquals(E2, status().lastUsedEndpoint());

        wg.handshake(key, h.now().plusMillis(1));
        h.advance(Duration.ofSeconds(1));
        assertEquals(PeerState.UP, status().state());
        // up: the counters are looked at every ReceiveActivity.POLL, and the tick is 10 s
        assertTrue(!controller.nextWake().orElseThrow().isAfter(h.now().plusSeconds(10)));
    }

    @Test
    public void anUpPeerGoesDownWhenItsHandshakeGetsTooOldAndMovesOn() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        Instant hs = START.plusSeconds(1);
        h.advanceTo(hs);
        wg.handshake(key, hs);
        keepTrafficFlowing(Duration.ofSeconds(250));
        assertEquals(PeerState.UP, status().state());

        // no more handshakes, yet packets keep coming: the handshake age alone decides (Talos' rule)
        Instant boundary = hs.plus(KubeSpanConfig.DEFAULT_DOWN_INTERVAL).plus(PeerStateMachine.WAKE_MARGIN);
        keepTrafficFlowing(Duration.between(h.now(), boundary));
        assertEquals(E2, status().lastUsedEndpoint());
        assertEquals(boundary, status().lastEndpointChange());
        assertEquals(List.of(E1, E2), decisions);
    }

    @Test
    public void roamingIsNotFought() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        // The peer reached us from behind a NAT; WireGuard moved its endpoint there.
        h.advance(Duration.ofSeconds(3));
        wg.peer(key, "203.0.113.50:34567", h.now(), 500, 600);
        keepTrafficFlowing(Duration.ofSeconds(60));
        KubeSpanPeerStatus s = status();
        assertEquals(PeerState.UP, s.state());
        assertEquals("203.0.113.50:34567", s.endpoint());
        assertEquals(E1, s.lastUsedEndpoint());
        assertEquals(List.of(E1), decisions);
    }

    @Test
    public void aSingleEndpointAlreadyInPlaceIsLeftAlone() {
        spec(id, "b", E1);
        wg.peer(key, E1, null, 0, 0);
        pass();
        h.advance(Duration.ofSeconds(100));
        assertEquals(new KubeSpanPeerStatus(E1, "b", PeerState.DOWN, 0, 0, Times.ZERO, E1, START), status());
        assertEquals(List.of(E1), decisions);
        long passes = controller.passes();
        h.advance(TICK.minusSeconds(1));
        assertTrue("a peer that is down is looked at every tick", controller.passes() - passes <= 1);
    }

    @Test
    public void aSingleEndpointNotInPlaceIsDecidedAgain() {
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0); // the device has not (or no longer) got it
        pass();
        h.advance(Duration.ofSeconds(100));
        assertEquals(List.of(E1, E1), decisions.subList(0, 2));
        assertNotEquals(START, status().lastEndpointChange());
    }

    @Test
    public void aPeerTheDeviceDoesNotHaveGetsOnlyItsFirstPick() {
        spec(id, "b", E1, E2);
        pass(); // link exists, peer not (yet) on it
        assertEquals(E1, status().lastUsedEndpoint());
        h.advance(Duration.ofSeconds(100));
        assertEquals(PeerState.DOWN, status().state());
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(E1), decisions);
    }

    @Test
    public void withoutTheLinkTheFirstPickIsRecordedForTheDeviceController() {
        wg.linkPresent = false;
        spec(id, "b", E1, E2);
        pass();
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(START, status().lastEndpointChange());
    }

    @Test
    public void aDeviceReadFailureKeepsTheLastKnownValuesAndRotatesNothing() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        KubeSpanPeerStatus before = status();
        wg.failRead = new WireGuardException("uapi: connection refused", 111);
        h.advance(Duration.ofSeconds(100));
        pass();
        assertEquals(before, status());
        assertEquals(List.of(E1), decisions);
        assertEquals(1, h.log.at("WARN").stream().filter(l -> l.contains("cannot read WireGuard link")).count());
        wg.failRead = null;
        pass();
        assertTrue(h.log.at("INFO").stream().anyMatch(l -> l.contains("works again")));
    }

    @Test
    public void aWorkingTunnelWithoutARecordIsAdoptedNotSwitched() {
        spec(id, "b", E1, E2);
        Instant hs = START.minusSeconds(20);
        wg.peer(key, E2, hs, 9000, 9000);
        pass();
        assertEquals(new KubeSpanPeerStatus(E2, "b", PeerState.UP, 9000, 9000, hs, E2, Times.ZERO), status());
        assertEquals(List.of(), decisions);
        assertTrue(h.log.at("INFO").stream().anyMatch(l -> l.contains("adopting")));
    }

    @Test
    public void aStaleTunnelWithoutARecordGetsTheFirstCandidate() {
        spec(id, "b", E1, E2);
        wg.peer(key, E2, START.minusSeconds(1000), 9000, 9000);
        pass();
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(E1), decisions);
    }

    // --- liveness: a killed peer is seen down within a minute, a live one never ---

    /**
     * Persistent keepalives as WireGuard sends them between two nodes that both keep alive: every
     * packet sent or received restarts the timer, so only one side ends up sending. Here it is ours:
     * nothing arrives from the peer unless it is asked.
     */
    private void onlyOurKeepalives(Duration d) {
        Instant end = h.now().plus(d);
        while (h.now().isBefore(end)) {
            h.advance(Duration.ofSeconds(1));
            if (h.now().getEpochSecond() % 25 == 0) {
                wg.traffic(key, 0, 32);
            }
        }
    }

    /** The other way round: the peer's keepalives arrive every 25 s. */
    private void keepTrafficFlowing(Duration d) {
        Instant end = h.now().plus(d);
        while (h.now().isBefore(end)) {
            Duration step = Duration.ofSeconds(1);
            if (Duration.between(h.now(), end).compareTo(step) < 0) {
                step = Duration.between(h.now(), end);
            }
            h.advance(step);
            if (h.now().getEpochSecond() % 25 == 0) {
                wg.traffic(key, 32, 0);
            }
        }
    }

    /** A live peer: a new handshake every two minutes, keepalives one way as above. */
    private void livePeer(Duration d, boolean theyKeepUsAlive) {
        Instant end = h.now().plus(d);
        while (h.now().isBefore(end)) {
            if (theyKeepUsAlive) {
                keepTrafficFlowing(Duration.ofSeconds(5));
            } else {
                onlyOurKeepalives(Duration.ofSeconds(5));
            }
            if (h.now().getEpochSecond() % 120 < 5) {
                wg.handshake(key, h.now());
            }
        }
    }

    private void upWithTraffic() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        wg.setEndpoint(key, E1);
        wg.handshake(key, h.now().plusMillis(50));
        livePeer(Duration.ofSeconds(100), true);
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void aPeerThatStopsAnsweringIsDownWithinAMinuteAndItsEndpointsRotate() throws Exception {
        upWithTraffic();
        Instant killed = h.now();
        peerAnswers = false;
        Instant downAt = null;
        while (h.now().isBefore(killed.plusSeconds(120)) && downAt == null) {
            onlyOurKeepalives(Duration.ofSeconds(1));
            if (status().state() != PeerState.UP) {
                downAt = h.now();
            }
        }
        assertTrue("seen down", downAt != null);
        long seconds = Duration.between(killed, downAt).toSeconds();
        System.out.println("killed peer seen down after " + seconds + " s (simulated clock)");
        assertTrue("down " + seconds + " s after the last packet, long before the 275 s handshake age", seconds <= 60);
        assertEquals("asked twice before giving up", 2, probes.size());
        assertEquals("to the peer's KubeSpan address, through the tunnel", "/fd00:0:0:0:0:0:0:2",
                probes.get(0).toString());
        h.advance(Duration.ofSeconds(1));
        assertTrue("and its next endpoint tried", decisions.contains(E2));
        assertTrue(h.log.warned("no answer to liveness probes"));
    }

    @Test
    public void aLivePeerThatKeepsSilentIsAskedAndNeverDownInHalfAnHour() {
        upWithTraffic();
        List<PeerState> seen = new ArrayList<>();
        Instant end = h.now().plus(Duration.ofMinutes(30));
        while (h.now().isBefore(end)) {
            livePeer(Duration.ofSeconds(5), false);
            seen.add(status().state());
        }
        assertFalse("states seen: " + new java.util.TreeSet<>(seen), seen.contains(PeerState.DOWN));
        assertEquals(List.of(E1), decisions);
        assertTrue("a silent peer is asked now and then: " + probes.size(), probes.size() >= 30 && probes.size() <= 70);
    }

    @Test
    public void aPeerThatKeepsUsAliveIsNeverAsked() {
        upWithTraffic();
        probes.clear();
        livePeer(Duration.ofMinutes(10), true);
        assertEquals(List.of(), probes);
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void aLostProbeIsNoAlarm() {
        upWithTraffic();
        peerAnswers = false;
        int before = probes.size();
        while (probes.size() == before) {
            onlyOurKeepalives(Duration.ofSeconds(1));
        }
        peerAnswers = true; // the first probe (or its answer) was lost; the second one is answered
        onlyOurKeepalives(Duration.ofSeconds(60));
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void countersAloneAreWrittenAtMostOncePerTick() {
        upWithTraffic();
        long before = h.get(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id).orElseThrow().version();
        livePeer(Duration.ofSeconds(300), true);
        long writes = h.get(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id).orElseThrow().version() - before;
        assertTrue(writes + " writes in 300 s", writes <= 300 / TICK.toSeconds() + 1);
        assertTrue("but they are written", writes >= 300 / TICK.toSeconds() - 1);
    }

    // --- candidates ---

    /**
     * The spec's endpoints are typed, so canonical by construction (one that does not parse never
     * reaches a spec: PayloadCodecTest, NodeAnnotationsTest); a duplicate is tried once.
     */
    @Test
    public void candidatesAreCanonicalAndDuplicatesTriedOnce() {
        spec(id, "b", "[2001:DB8:0:0::3]:51820", E3, E1);
        wg.peer(key, null, null, 0, 0);
        pass();
        assertEquals(E3, status().lastUsedEndpoint());
        h.advanceTo(START.plus(TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN));
        assertEquals(E1, status().lastUsedEndpoint()); // the duplicate of E3 is gone
    }

    // --- harvesting ---

    private void upPeerWithAffiliate() {
        h.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "node-b",
                new Affiliate("node-b", List.of(), "b", "b", "", "worker",
                        Specs.kubeSpan(id, "fd00::2", List.of(), List.of(E1), List.of()), null));
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        pass();
        wg.peer(key, "203.0.113.50:34567", h.now().plusSeconds(1), 10, 10);
        h.advance(Duration.ofSeconds(2));
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void harvestingPublishesTheEndpointsOfUpPeers() {
        config(true, null, null, null);
        upPeerWithAffiliate();
        assertEquals(Map.of(id, new KubeSpanEndpoint("node-b", "203.0.113.50:34567")), endpoints());
    }

    @Test
    public void harvestingWithdrawsAnEndpointWhenThePeerIsNoLongerUp() {
        config(true, null, null, null);
        upPeerWithAffiliate();
        h.advance(Duration.ofSeconds(400));
        // down, so its one candidate is decided again in place of the dead roamed endpoint
        assertNotEquals(PeerState.UP, status().state());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void harvestingOffPublishesNothingAndWithdrawsWhatWasThere() {
        upPeerWithAffiliate();
        assertEquals(Map.of(), endpoints());
        config(true, null, null, null);
        h.settle();
        assertEquals(1, endpoints().size());
        config(false, null, null, null);
        h.settle();
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void harvestingNeedsAKnownAffiliate() {
        config(true, null, null, null);
        upPeerWithAffiliate();
        h.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "node-b");
        h.settle();
        assertEquals(Map.of(), endpoints());
    }

    // --- leaving the relay ---

    private static final String RELAYED = "203.0.113.9:49152";

    /**
     * A peer of ours, up through a relay, then moved to the direct path a probe found; the device
     * follows, and WireGuard keeps its session across the change, so no handshake comes.
     */
    private void relayedPeerMovedToADirectPath() {
        h.put(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID,
                new NatConfig(List.of(), List.of("203.0.113.9:3478"), "", "", "c2VjcmV0"));
        h.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "node-b", new Affiliate("node-b", List.of(), "b", "b",
                Affiliate.OUR_OPERATING_SYSTEM + " 0.1.0", "worker",
                Specs.kubeSpan(id, "fd00::2", List.of(), List.of(E2, RELAYED), List.of()), null));
        spec(id, "b", E2, RELAYED);
        wg.peer(key, null, null, 0, 0);
        pass();
        assertEquals(PeerPath.PROBING, status().path());
        h.advance(PeerStatusController.RELAY_AFTER.plusSeconds(1));
        assertEquals(RELAYED, status().lastUsedEndpoint());
        wg.setEndpoint(key, RELAYED);
        wg.handshake(key, h.now());
        h.advance(Duration.ofSeconds(1));
        assertEquals(PeerState.UP, status().state());
        assertEquals(PeerPath.RELAYED, status().path());

        h.put(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN, id, new PathProbe("b", E2, h.now(), 1, h.now(), 3));
        h.settle();
        assertEquals(E2, status().lastUsedEndpoint());
        assertEquals(PeerPath.DIRECT, status().path());
        wg.setEndpoint(key, E2);
        probes.clear();
    }

    @Test
    public void aPeerThatLeftTheRelayIsUpOnceItsPacketsArriveOverTheDirectPath() {
        relayedPeerMovedToADirectPath();
        h.advance(PeerStatusController.SWITCH_SETTLES.plusMillis(500));
        assertEquals("a liveness probe over the new path, for the peer to answer there", 1, probes.size());
        h.advance(Duration.ofSeconds(1));
        assertEquals(PeerState.UP, status().state());
        assertEquals(PeerPath.DIRECT, status().path());
        h.advance(TIMEOUT.plusSeconds(5));
        assertEquals("no handshake, but the peer is heard there: it stays", E2, status().lastUsedEndpoint());
        assertEquals(PeerState.UP, status().state());
        assertEquals(1, probes.size());
    }

    @Test
    public void aPeerThatLeftTheRelayGoesBackToItWhenNothingArrivesOverTheDirectPath() {
        peerAnswers = false;
        relayedPeerMovedToADirectPath();
        h.advance(TIMEOUT.plusSeconds(1));
        assertNotEquals(PeerState.UP, status().state());
        assertEquals(RELAYED, status().lastUsedEndpoint());
        assertEquals(PeerPath.RELAYED, status().path());
    }

    // --- the runtime contract ---

    @Test
    public void itWritesOnlyStatusesAndEndpointsAndOthersCannot() {
        spec(id, "b", E1);
        pass();
        try {
            h.store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id,
                    new KubeSpanPeerStatus("", "x", PeerState.UP, 0, 0, null, "", null), "someone.else");
            throw new AssertionError("a second writer of peer statuses was accepted");
        } catch (dev.kubespan.api.OwnershipException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(PeerStatusController.NAME));
        }
    }

    // --- a stepped wall clock (an operator's date -s, a first NTP sync): ages are monotonic ---

    /** A peer of E1 that handshook just now: up. */
    private void upOnE1() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        wg.setEndpoint(key, E1);
        h.advance(Duration.ofMillis(50));
        wg.handshake(key, h.now());
        h.advance(Duration.ofSeconds(1));
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void aLivePeerStaysUpWhileTheWallClockStepsAnHourForwardAndBack() {
        upOnE1();
        List<PeerState> seen = new ArrayList<>();
        Watch states = h.store.watch(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, e -> {
            if (e.resource() != null && e.kind() != ResourceEvent.Kind.DESTROYED) {
                seen.add(e.resource().spec().state());
            }
        });
        try {
            for (Duration step : List.of(Duration.ofHours(1), Duration.ofHours(-1), Duration.ofHours(-1),
                    Duration.ofHours(1))) {
                h.scheduler.stepWallClock(step);
                // traffic flows, and WireGuard rekeys (its handshake times are on the stepped clock too)
                for (int i = 0; i < 4; i++) {
                    h.advance(Duration.ofSeconds(30));
                    wg.traffic(key, 100, 100);
                    if (i == 1) {
                        wg.handshake(key, h.now());
                    }
                }
                assertEquals("after a step of " + step, PeerState.UP, status().state());
                assertEquals("shown as WireGuard reports it", wg.peers.get(key).lastHandshake(),
                        status().lastHandshakeTime());
            }
        } finally {
            states.close();
        }
        assertFalse("states seen: " + seen, seen.contains(PeerState.DOWN));
        assertEquals(List.of(E1), decisions);
    }

    @Test
    public void aPeerThatDiesAfterTheWallClockSteppedBackIsDownAsSoonAsWithoutTheStep() {
        upOnE1();
        h.scheduler.stepWallClock(Duration.ofHours(-1));
        peerAnswers = false; // no handshake, no traffic, no answer to probes from now on
        long died = h.scheduler.nanoTime();
        Duration bound = KubeSpanConfig.DEFAULT_DOWN_INTERVAL.plus(TICK);
        while (decisions.size() == 1 && h.scheduler.nanoTime() - died < bound.toNanos()) {
            h.advance(Duration.ofSeconds(1));
        }
        assertEquals("down (and moved on) within " + bound.toSeconds() + " s of monotonic time", List.of(E1, E2),
                decisions);
        Duration took = Duration.ofNanos(h.scheduler.nanoTime() - died);
        assertTrue("down after " + took.toSeconds() + " s: the liveness probes, as without a step",
                took.compareTo(ReceiveActivity.SUSPECT_AFTER.plus(ReceiveActivity.ANSWER_WITHIN).plus(
                        ReceiveActivity.POLL)) <= 0);
    }

    @Test
    public void aSilentNewPeerIsRotatedAfterTheConnectionTimeoutThoughTheWallClockSteppedBack() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        wg.setEndpoint(key, E1);
        h.advance(Duration.ofSeconds(5));
        h.scheduler.stepWallClock(Duration.ofHours(-1));
        h.advance(TIMEOUT.minusSeconds(5).plusSeconds(1));
        assertEquals("E1 timed out after " + TIMEOUT.toSeconds() + " s of monotonic time", List.of(E1, E2), decisions);
        assertEquals("the decision's time is on the wall clock, as shown", h.now().minusSeconds(1),
                status().lastEndpointChange().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    public void aNewPeerIsNotRotatedWhenTheWallClockStepsForwardBeforeItsFirstHandshake() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        pass();
        wg.setEndpoint(key, E1);
        h.advance(Duration.ofSeconds(2));
        h.scheduler.stepWallClock(Duration.ofHours(1));
        h.advance(Duration.ofSeconds(2));
        wg.handshake(key, h.now());
        h.advance(HandshakeProbe.SLOWEST);
        assertEquals(PeerState.UP, status().state());
        assertEquals("no rotation: E1 had " + TIMEOUT.toSeconds() + " s, not 0", List.of(E1), decisions);
    }
}
