package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;

public class PeerStatusReconcilerTest {
    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration TIMEOUT = KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT;
    private static final Duration TICK = KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL;
    private static final String E1 = "192.0.2.1:51820";
    private static final String E2 = "198.51.100.2:51820";
    private static final String E3 = "[2001:db8::3]:51820";

    private final FakeStore store = new FakeStore();
    private final FakeWireGuard wg = new FakeWireGuard();
    private final MutableClock clock = new MutableClock(START);
    private final RecordingLogger log = new RecordingLogger();
    private final PeerStatusReconciler reconciler = new PeerStatusReconciler(store, wg, clock, log.logger);
    private final Key key = Key.generatePrivateKey().publicKey();
    private final String id = key.toBase64();

    @Before
    public void enable() {
        config(false, List.of(), null, null, null);
    }

    private void config(boolean harvest, List<String> peerFilters, Duration tick, Duration down, Duration timeout) {
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                new KubeSpanConfig(true, "cluster", "c2VjcmV0", true, false, 0, List.of(), harvest, List.of(),
                        List.of(), 0, peerFilters, tick, down, timeout),
                "test");
    }

    private void spec(String peerId, String label, String... endpoints) {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, peerId,
                new KubeSpanPeerSpec("fd00::2", List.of("fd00::2/128"), List.of(endpoints), label), "manager");
    }

    private KubeSpanPeerStatus status() {
        return status(id);
    }

    private KubeSpanPeerStatus status(String peerId) {
        return store.get(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, peerId).orElseThrow().spec();
    }

    private Map<String, KubeSpanPeerStatus> statuses() {
        return store.specs(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN);
    }

    private Map<String, KubeSpanEndpoint> endpoints() {
        return store.specs(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN);
    }

    private Map<Key, Endpoint> update(String endpoint) {
        return Map.of(key, Endpoint.parse(endpoint));
    }

    // --- status sync ---

    @Test
    public void aNewPeerGetsAStatusAndItsFirstEndpointAtOnce() {
        spec(id, "node-b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();

        assertEquals(new KubeSpanPeerStatus(E1, "node-b", PeerState.UNKNOWN, 0, 0, Times.ZERO, E1, START), status());
        assertEquals(List.of(update(E1)), wg.updateCalls);
        assertEquals(Endpoint.parse(E1), wg.peers.get(key).endpoint());
        assertEquals(START.plus(TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN), wake);
    }

    @Test
    public void aPeerWithoutCandidatesStaysUnknownWithoutEndpoint() {
        spec(id, "node-b");
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus("", "node-b", PeerState.UNKNOWN, 0, 0, Times.ZERO, "", Times.ZERO),
                status());
        assertEquals(List.of(), wg.updateCalls);
        assertEquals(START.plus(TICK), wake);
    }

    @Test
    public void theLabelFollowsTheSpec() {
        spec(id, "old-name", E1);
        reconciler.reconcile();
        spec(id, "new-name", E1);
        reconciler.reconcile();
        assertEquals("new-name", status().label());
    }

    @Test
    public void theLabelFollowsTheSpecEvenWhileTheDeviceCannotBeRead() {
        spec(id, "old-name", E1);
        reconciler.reconcile();
        wg.failRead = new WireGuardException("netlink: EPERM", 1);
        spec(id, "new-name", E1);
        reconciler.reconcile();
        assertEquals("new-name", status().label());
    }

    @Test
    public void aStatusGoesWhenItsSpecGoes() {
        Key other = Key.generatePrivateKey().publicKey();
        spec(id, "b", E1);
        spec(other.toBase64(), "c", E2);
        reconciler.reconcile();
        assertEquals(2, statuses().size());
        store.delete(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, other.toBase64());
        reconciler.reconcile();
        assertEquals(List.of(id), List.copyOf(statuses().keySet()));
    }

    @Test
    public void disablingKubeSpanDeletesEverythingOwnedAndStopsTheTimer() {
        config(true, List.of(), null, null, null);
        upPeerWithAffiliate();
        assertFalse(statuses().isEmpty());
        assertFalse(endpoints().isEmpty());

        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                new KubeSpanConfig(false, "cluster", "c2VjcmV0", true, false, 0, List.of(), true, List.of(),
                        List.of(), 0, List.of(), null, null, null),
                "test");
        assertNull(reconciler.reconcile());
        assertEquals(Map.of(), statuses());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void aMissingConfigDeletesEverythingOwned() {
        config(true, List.of(), null, null, null);
        upPeerWithAffiliate();
        store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        assertNull(reconciler.reconcile());
        assertEquals(Map.of(), statuses());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void aSpecWhoseIdIsNotAKeyIsSkippedWithOneWarning() {
        spec("not-a-key", "x", E1);
        spec(id, "b", E1);
        reconciler.reconcile();
        reconciler.reconcile();
        assertEquals(List.of(id), List.copyOf(statuses().keySet()));
        assertEquals(1, log.lines.stream().filter(l -> l.startsWith("warn:") && l.contains("not-a-key")).count());
    }

    // --- polling and state ---

    @Test
    public void theDeviceIsCopiedIntoTheStatus() {
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        clock.advance(Duration.ofSeconds(2));
        Instant hs = clock.instant().minusMillis(300);
        wg.peer(key, E1, hs, 1234, 5678);
        reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus(E1, "b", PeerState.UP, 1234, 5678, hs, E1, START), status());
    }

    @Test
    public void aHandshakeAfterTheChangeMakesThePeerUpAndStopsRotation() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        clock.advance(Duration.ofSeconds(1));
        wg.handshake(key, clock.instant());
        clock.advance(TIMEOUT.plusSeconds(60));
        Instant wake = reconciler.reconcile();
        assertEquals(PeerState.UP, status().state());
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(1, wg.updateCalls.size());
        assertEquals(clock.instant().plus(TICK), wake);
    }

    @Test
    public void aDeadEndpointIsAbandonedRightAfterTheConnectionTimeout() {
        spec(id, "b", E1, E2, E3);
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();
        assertEquals(START.plus(TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN), wake);

        // Woken just before the timeout (e.g. by an unrelated input change): still waiting.
        clock.set(START.plus(TIMEOUT).minusMillis(1));
        assertEquals(wake, reconciler.reconcile());
        assertEquals(PeerState.UNKNOWN, status().state());
        assertEquals(1, wg.updateCalls.size());

        clock.set(wake);
        Instant wake2 = reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus(E2, "b", PeerState.UNKNOWN, 0, 0, Times.ZERO, E2, wake), status());
        assertEquals(List.of(update(E1), update(E2)), wg.updateCalls);
        assertEquals(wake.plus(TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN), wake2);
    }

    @Test
    public void rotationGoesThroughTheCandidatesInOrderAndWrapsAround() {
        spec(id, "b", E1, E2, E3);
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();
        for (int i = 0; i < 4; i++) {
            clock.set(wake);
            wake = reconciler.reconcile();
        }
        assertEquals(List.of(update(E1), update(E2), update(E3), update(E1), update(E2)), wg.updateCalls);
        assertEquals(E2, status().lastUsedEndpoint());
    }

    @Test
    public void aConfiguredConnectionTimeoutAndTickAreUsed() {
        config(false, List.of(), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(4));
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();
        assertEquals(START.plusSeconds(4).plus(PeerStateMachine.WAKE_MARGIN), wake);
        clock.set(wake);
        reconciler.reconcile();
        assertEquals(E2, status().lastUsedEndpoint());

        wg.handshake(key, clock.instant().plusMillis(1));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(clock.instant().plusSeconds(10), reconciler.reconcile());
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void anUpPeerGoesDownExactlyWhenItsHandshakeGetsTooOldAndMovesOn() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        Instant hs = START.plusSeconds(1);
        wg.handshake(key, hs);
        clock.set(START.plusSeconds(100));
        assertEquals(START.plusSeconds(100).plus(TICK), reconciler.reconcile());
        assertEquals(PeerState.UP, status().state());

        // The next tick would come after the handshake turns too old: wake at that moment instead.
        clock.set(START.plusSeconds(260));
        Instant wake = reconciler.reconcile();
        assertEquals(hs.plus(KubeSpanConfig.DEFAULT_DOWN_INTERVAL).plus(PeerStateMachine.WAKE_MARGIN), wake);
        assertEquals(PeerState.UP, status().state());

        clock.set(wake);
        reconciler.reconcile();
        assertEquals(E2, status().lastUsedEndpoint());
        assertEquals(wake, status().lastEndpointChange());
        assertEquals(List.of(update(E1), update(E2)), wg.updateCalls);
    }

    @Test
    public void roamingIsNotFought() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        // The peer reached us from behind a NAT; WireGuard moved its endpoint there.
        clock.advance(Duration.ofSeconds(3));
        wg.peer(key, "203.0.113.50:34567", clock.instant(), 500, 600);
        clock.advance(Duration.ofSeconds(60));
        reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus("203.0.113.50:34567", "b", PeerState.UP, 500, 600,
                START.plusSeconds(3), E1, START), status());
        assertEquals(1, wg.updateCalls.size());
    }

    @Test
    public void aRoamedPeerThatGoesDownRotatesFromItsLastUsedEndpoint() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        wg.peer(key, "203.0.113.50:34567", START.plusSeconds(3), 500, 600);
        clock.set(START.plusSeconds(3 + 275));
        reconciler.reconcile();
        assertEquals(E2, status().lastUsedEndpoint());
        assertEquals(List.of(update(E1), update(E2)), wg.updateCalls);
    }

    @Test
    public void aSingleEndpointAlreadyInPlaceIsLeftAlone() {
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        clock.advance(Duration.ofSeconds(100));
        Instant wake = reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus(E1, "b", PeerState.DOWN, 0, 0, Times.ZERO, E1, START), status());
        assertEquals(List.of(update(E1)), wg.updateCalls);
        assertEquals(clock.instant().plus(TICK), wake);
    }

    @Test
    public void aSingleEndpointNotInPlaceIsAppliedAgain() {
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        wg.peer(key, null, null, 0, 0); // the endpoint got lost
        clock.advance(Duration.ofSeconds(100));
        reconciler.reconcile();
        assertEquals(List.of(update(E1), update(E1)), wg.updateCalls);
        assertEquals(clock.instant(), status().lastEndpointChange());
    }

    @Test
    public void aPeerTheDeviceDoesNotHaveGetsOnlyItsFirstPick() {
        spec(id, "b", E1, E2);
        reconciler.reconcile(); // link exists, peer not (yet) on it
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(update(E1)), wg.updateCalls);
        clock.advance(Duration.ofSeconds(100));
        reconciler.reconcile();
        assertEquals(PeerState.DOWN, status().state());
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(1, wg.updateCalls.size());
    }

    @Test
    public void withoutTheLinkTheFirstPickIsRecordedForTheManagerButNotApplied() {
        wg.linkPresent = false;
        spec(id, "b", E1, E2);
        reconciler.reconcile();
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(START, status().lastEndpointChange());
        assertEquals(List.of(), wg.updateCalls);
    }

    @Test
    public void aFailedEndpointUpdateIsNotRecordedAndIsRetried() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        wg.failUpdate = new WireGuardException("uapi: errno=5", 5);
        reconciler.reconcile();
        assertEquals("", status().lastUsedEndpoint());
        assertTrue(log.has("warn", "cannot set endpoint"));
        wg.failUpdate = null;
        clock.advance(TICK);
        reconciler.reconcile();
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(update(E1), update(E1)), wg.updateCalls);
    }

    @Test
    public void aDeviceReadFailureKeepsTheLastKnownValuesAndRotatesNothing() {
        spec(id, "b", E1, E2);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        KubeSpanPeerStatus before = status();
        wg.failRead = new WireGuardException("uapi: connection refused", 111);
        clock.advance(Duration.ofSeconds(100));
        Instant wake = reconciler.reconcile();
        reconciler.reconcile();
        assertEquals(before, status());
        assertEquals(1, wg.updateCalls.size());
        assertEquals(clock.instant().plus(TICK), wake);
        assertEquals(1, log.lines.stream().filter(l -> l.contains("cannot read WireGuard link")).count());
    }

    @Test
    public void aWorkingTunnelWithoutARecordIsAdoptedNotSwitched() {
        spec(id, "b", E1, E2);
        Instant hs = START.minusSeconds(20);
        wg.peer(key, E2, hs, 9000, 9000);
        reconciler.reconcile();
        assertEquals(new KubeSpanPeerStatus(E2, "b", PeerState.UP, 9000, 9000, hs, E2, Times.ZERO), status());
        assertEquals(List.of(), wg.updateCalls);
        assertTrue(log.has("info", "adopting"));
    }

    @Test
    public void aStaleTunnelWithoutARecordGetsTheFirstCandidate() {
        spec(id, "b", E1, E2);
        wg.peer(key, E2, START.minusSeconds(1000), 9000, 9000);
        reconciler.reconcile();
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(update(E1)), wg.updateCalls);
    }

    // --- candidates ---

    @Test
    public void candidatesAreCanonicalAndBadOnesAreSkipped() {
        spec(id, "b", "not-an-endpoint", "[2001:DB8:0:0::3]:51820", E3, E1);
        wg.peer(key, null, null, 0, 0);
        Instant wake = reconciler.reconcile();
        assertEquals(E3, status().lastUsedEndpoint());
        clock.set(wake);
        reconciler.reconcile();
        assertEquals(E1, status().lastUsedEndpoint()); // the duplicate of E3 is gone
        assertTrue(log.has("warn", "not-an-endpoint"));
    }

    // --- harvesting ---

    private void upPeerWithAffiliate() {
        store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "node-b",
                new Affiliate("node-b", List.of(), "b", "b", "", "worker",
                        new AffiliateKubeSpan(id, "fd00::2", List.of(), List.of(E1), List.of()), null),
                "manager");
        spec(id, "b", E1);
        wg.peer(key, null, null, 0, 0);
        reconciler.reconcile();
        wg.peer(key, "203.0.113.50:34567", clock.instant().plusSeconds(1), 10, 10);
        clock.advance(Duration.ofSeconds(2));
        reconciler.reconcile();
        assertEquals(PeerState.UP, status().state());
    }

    @Test
    public void harvestingPublishesTheEndpointsOfUpPeers() {
        config(true, List.of(), null, null, null);
        upPeerWithAffiliate();
        assertEquals(Map.of(id, new KubeSpanEndpoint("node-b", "203.0.113.50:34567")), endpoints());
    }

    @Test
    public void harvestingWithdrawsAnEndpointWhenThePeerIsNoLongerUp() {
        config(true, List.of(), null, null, null);
        upPeerWithAffiliate();
        clock.advance(Duration.ofSeconds(400));
        reconciler.reconcile();
        // down, so its one candidate is applied again in place of the dead roamed endpoint
        assertEquals(PeerState.UNKNOWN, status().state());
        assertEquals(clock.instant(), status().lastEndpointChange());
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void harvestingOffPublishesNothingAndWithdrawsWhatWasThere() {
        upPeerWithAffiliate();
        assertEquals(Map.of(), endpoints());
        config(true, List.of(), null, null, null);
        reconciler.reconcile();
        assertEquals(1, endpoints().size());
        config(false, List.of(), null, null, null);
        reconciler.reconcile();
        assertEquals(Map.of(), endpoints());
    }

    @Test
    public void harvestingNeedsAKnownAffiliate() {
        config(true, List.of(), null, null, null);
        upPeerWithAffiliate();
        store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "node-b");
        reconciler.reconcile();
        assertEquals(Map.of(), endpoints());
    }
}
