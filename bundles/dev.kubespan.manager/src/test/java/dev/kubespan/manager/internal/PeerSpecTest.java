package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.LOCAL_NODE_ID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.Specs;

/** docs/kubespan-node.md §4.1. */
public class PeerSpecTest {
    private static final Key K1 = Key.generatePrivateKey().publicKey();
    private static final Key K2 = Key.generatePrivateKey().publicKey();
    private static final Key K3 = Key.generatePrivateKey().publicKey();
    private final RecordingLog log = new RecordingLog();
    private final ControllerHarness h = new ControllerHarness();

    @After
    public void tearDown() {
        h.close();
    }

    private Map<String, KubeSpanPeerSpec> compute(Affiliate... affiliates) {
        return PeerSpecCalculator.compute(List.of(affiliates), LOCAL_NODE_ID, EndpointFilter.none(), log);
    }

    @Test
    public void peerEndpointFiltersSelectAndReorderTheCandidates() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of("10.0.0.1", "fd00::1"), List.of(),
                List.of("10.0.0.1:51820", "[2001:db8::1]:51820", "198.51.100.7:51820", "192.0.2.9:51820"), List.of());
        EndpointFilter filter = EndpointFilter.parse(List.of("198.51.100.0/24", "::/0", "!2001:db8::/32", "10.0.0.0/8"),
                "KubeSpanConfig.peerEndpointFilters");
        KubeSpanPeerSpec s = PeerSpecCalculator.compute(List.of(a), LOCAL_NODE_ID, filter, log).get(K1.toBase64());
        assertEquals(List.of("198.51.100.7:51820", "10.0.0.1:51820"), Specs.texts(s.endpoints()));
    }

    @Test
    public void specFromOneAffiliate() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00:1:2:3::1", List.of("192.168.1.10", "10.0.0.1",
                "2001:db8::1", "fd00:1:2:3::1"), List.of("10.244.1.0/24"),
                List.of("192.168.1.10:51820", "[2001:db8::1]:51820"), List.of());
        KubeSpanPeerSpec s = compute(a).get(K1.toBase64());
        assertEquals("fd00:1:2:3::1", Specs.text(s.address()));
        assertEquals(List.of("10.0.0.1/32", "10.244.1.0/24", "192.168.1.10/32", "2001:db8::1/128", "fd00:1:2:3::1/128"),
                Specs.texts(s.allowedIPs()));
        assertEquals(List.of("192.168.1.10:51820", "[2001:db8::1]:51820"), Specs.texts(s.endpoints()));
        assertEquals("node-1", s.label());
    }

    @Test
    public void excludedNetworksAreSubtractedButNeverTheKubeSpanAddress() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of("10.0.0.1", "10.1.0.1", "fd00::1"),
                List.of("10.244.0.0/16"), List.of(), List.of("10.0.0.0/16", "10.244.128.0/17", "fd00::/8"));
        assertEquals(List.of("10.1.0.1/32", "10.244.0.0/17", "fd00::1/128"), Specs.texts(compute(a).get(K1.toBase64()).allowedIPs()));
    }

    @Test
    public void adjacentAddressesCollapseToAMinimalDecomposition() {
        Affiliate a = Fixtures.simplePeer("n1", K1, "fd00::1", "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3",
                "10.0.0.4");
        assertEquals(List.of("10.0.0.0/30", "10.0.0.4/32", "fd00::1/128"), Specs.texts(compute(a).get(K1.toBase64()).allowedIPs()));
    }

    @Test
    public void selfNoKeyAndInvalidInputAreSkipped() {
        Affiliate self = Fixtures.simplePeer(LOCAL_NODE_ID, K1, "fd00::1", "10.0.0.1");
        Affiliate noKubeSpan = new Affiliate("n2", List.of("10.0.0.2"), "h", "n2", "", "", null, null);
        Affiliate noKey = Fixtures.simplePeer("n3", null, "fd00::3", "10.0.0.3");
        Affiliate noAddress = Fixtures.simplePeer("n4", K2, "", "10.0.0.4");
        Affiliate badAddress = Fixtures.peer("n5", "node-5", K3, "fd00::5", List.of("10.0.0.999"), List.of(),
                List.of(), List.of());
        // a key that is not a WireGuard key never gets this far: the registries drop the KubeSpan part
        // (PayloadCodecTest, NodeAnnotationsTest)
        assertEquals(Map.of(), compute(self, noKubeSpan, noKey, noAddress, badAddress));
        assertTrue(log.warned("missing KubeSpan address"));
        assertTrue(log.warned("10.0.0.999"));
    }

    /**
     * Endpoints arrive typed (one that does not parse is dropped where the affiliate is read:
     * PayloadCodecTest, NodeAnnotationsTest); here duplicates go and the order stays.
     */
    @Test
    public void duplicateEndpointsAreDroppedAndTheRestNormalised() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of(), List.of(),
                List.of("10.0.0.1:51820", "[2001:DB8:0::1]:51820", "10.0.0.1:51820"), List.of());
        assertEquals(List.of("10.0.0.1:51820", "[2001:db8::1]:51820"), Specs.texts(compute(a).get(K1.toBase64()).endpoints()));
    }

    /** Issue #12358: a VIP on every node; the smallest node ID keeps it. */
    @Test
    public void sharedVipGoesToTheSmallestNodeId() {
        Affiliate b = Fixtures.simplePeer("nodeB", K2, "fd00::b", "10.5.0.2", "10.5.0.100");
        Affiliate a = Fixtures.simplePeer("nodeA", K1, "fd00::a", "10.5.0.1", "10.5.0.100");
        Affiliate c = Fixtures.simplePeer("nodeC", K3, "fd00::c", "10.5.0.3", "10.5.0.100");
        Map<String, KubeSpanPeerSpec> specs = compute(b, c, a);
        assertEquals(List.of(K1.toBase64(), K2.toBase64(), K3.toBase64()), List.copyOf(specs.keySet()));
        assertEquals(List.of("10.5.0.1/32", "10.5.0.100/32", "fd00::a/128"), Specs.texts(specs.get(K1.toBase64()).allowedIPs()));
        assertEquals(List.of("10.5.0.2/32", "fd00::b/128"), Specs.texts(specs.get(K2.toBase64()).allowedIPs()));
        assertEquals(List.of("10.5.0.3/32", "fd00::c/128"), Specs.texts(specs.get(K3.toBase64()).allowedIPs()));
        assertTrue(log.warned("peer address overlap"));
        assertEquals(2, log.at("WARN").stream().filter(m -> m.contains("peer address overlap")).count());
    }

    @Test
    public void overlappingPrefixIsCarvedOut() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of(), List.of("10.244.0.0/16"), List.of(),
                List.of());
        Affiliate b = Fixtures.peer("n2", "node-2", K2, "fd00::2", List.of("10.244.1.5", "192.168.0.2"),
                List.of("10.244.1.0/24", "10.245.0.0/24"), List.of(), List.of());
        Map<String, KubeSpanPeerSpec> specs = compute(a, b);
        assertEquals(List.of("10.244.0.0/16", "fd00::1/128"), Specs.texts(specs.get(K1.toBase64()).allowedIPs()));
        assertEquals(List.of("10.245.0.0/24", "192.168.0.2/32", "fd00::2/128"), Specs.texts(specs.get(K2.toBase64()).allowedIPs()));
        assertTrue(log.warned("10.244.1.0/24"));
    }

    @Test
    public void peerMayEndUpEmptyAndIsStillEmitted() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of("10.0.0.1"), List.of(), List.of(), List.of());
        Affiliate b = Fixtures.peer("n2", "node-2", K2, "fd00::1", List.of("10.0.0.1"), List.of(), List.of(), List.of());
        KubeSpanPeerSpec s = compute(a, b).get(K2.toBase64());
        assertEquals(List.of(), Specs.texts(s.allowedIPs()));
        assertEquals("fd00::1", Specs.text(s.address()));
    }

    @Test
    public void duplicatePublicKeyKeepsTheFirstNode() {
        Affiliate a = Fixtures.simplePeer("n1", K1, "fd00::1", "10.0.0.1");
        Affiliate b = Fixtures.simplePeer("n2", K1, "fd00::2", "10.0.0.2");
        Map<String, KubeSpanPeerSpec> specs = compute(b, a);
        assertEquals(1, specs.size());
        assertEquals("node-n1", specs.get(K1.toBase64()).label());
        assertTrue(log.warned("already used"));
    }

    @Test
    public void peerEndpointFilterLimitsWhatIsTried() {
        Affiliate a = Fixtures.peer("n1", "node-1", K1, "fd00::1", List.of(), List.of(),
                List.of("[2001:db8::1]:51820", "10.0.0.1:51820", "203.0.113.1:51820"), List.of());
        Map<String, KubeSpanPeerSpec> specs = PeerSpecCalculator.compute(List.of(a), LOCAL_NODE_ID,
                EndpointFilter.parse(List.of("0.0.0.0/0", "!10.0.0.0/8", "::/0"), "t"), log);
        assertEquals(List.of("203.0.113.1:51820", "[2001:db8::1]:51820"), Specs.texts(specs.get(K1.toBase64()).endpoints()));
    }

    // --- controller

    @Test
    public void controllerWritesDeletesAndClearsWhenDisabled() {
        InMemoryResourceStore store = h.store;
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        h.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "n1", Fixtures.simplePeer("n1", K1, "fd00::1", "10.0.0.1"));
        h.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "n2", Fixtures.simplePeer("n2", K2, "fd00::2", "10.0.0.2"));
        RunningController c = h.start(new PeerSpecController());
        assertTrue("nothing without a KubeSpan config", store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).isEmpty());

        Fixtures.putConfig(store, Fixtures.config().build());
        h.pass(c);
        List<Resource<KubeSpanPeerSpec>> specs = store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN);
        assertEquals(2, specs.size());
        assertEquals(Owners.PEER_SPEC, specs.get(0).metadata().owner());

        long writes = h.writes();
        h.pass(c);
        assertEquals(writes, h.writes());

        h.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "n2");
        h.pass(c);
        assertNull(store.get(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, K2.toBase64()).orElse(null));
        assertTrue(store.get(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, K1.toBase64()).isPresent());

        Fixtures.putConfig(store, Fixtures.config().enabled(false).build());
        h.pass(c);
        assertTrue(store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).isEmpty());

        Fixtures.putConfig(store, Fixtures.config().build());
        h.pass(c);
        assertEquals(1, store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).size());
    }

    @Test
    public void controllerWaitsForTheNodeIdentity() {
        InMemoryResourceStore store = h.store;
        Fixtures.putConfig(store, Fixtures.config().build());
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, K1.toBase64(),
                Specs.peerSpec("fd00::1", List.of(), List.of(), "x"), Owners.PEER_SPEC);
        h.start(new PeerSpecController());
        assertFalse("existing specs are kept while the node id is unknown",
                store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).isEmpty());
    }
}
