package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.discovery.grpc.server.AffiliateDeleteRequest;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.test.Specs;

/**
 * Registries of several simulated nodes against real gRPC servers on 127.0.0.1 (the in-test
 * {@link TestClusterServer}). Every wait polls with a generous limit; nothing asserts durations.
 */
public class DiscoveryRegistryIntegrationTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T t) {
        closeables.add(t);
        return t;
    }

    private TestClusterServer server() throws IOException {
        return keep(new TestClusterServer().start());
    }

    private TestNode node(String id, String octet, TestClusterServer... servers) {
        var eps = new dev.kubespan.api.spec.DiscoveryServiceEndpoint[servers.length];
        for (int i = 0; i < servers.length; i++) {
            eps[i] = TestNode.plain("s" + (i + 1), servers[i]);
        }
        return keep(new TestNode(id, octet, eps)).start();
    }

    static void await(String what, BooleanSupplier condition, Supplier<Object> state) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what + "; state: " + state.get());
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void awaitSees(TestNode n, TestNode... others) {
        awaitSeesIds(n, java.util.Arrays.stream(others).map(o -> o.id).toArray(String[]::new));
    }

    private static void awaitSeesIds(TestNode n, String... ids) {
        Set<String> want = java.util.Arrays.stream(ids).map(id -> "service/" + id).collect(Collectors.toSet());
        await(n.id + " to see exactly " + want, () -> n.raw().keySet().equals(want), n::raw);
    }

    /** A bare gRPC client, to publish what no well-behaved node would. */
    private ClusterGrpc.ClusterBlockingStub rawClient(TestClusterServer s) throws IOException {
        OwnedChannel ch = keep(OwnedChannel.forTarget(s.endpoint()).plaintext().threadNamePrefix("test-raw").build());
        return ClusterGrpc.newBlockingStub(ch.channel());
    }

    private static AffiliateUpdateRequest.Builder update(String id) {
        return AffiliateUpdateRequest.newBuilder().setClusterId(TestNode.CLUSTER).setAffiliateId(id)
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(1800));
    }

    private static AffiliateUpdateRequest sealed(SealedPayloads p, Affiliate a) {
        AffiliateUpdateRequest.Builder b = update(a.nodeId())
                .setAffiliateData(ByteString.copyFrom(p.sealAffiliate(a, x -> {
                })));
        for (Endpoint e : a.kubespan().endpoints()) {
            b.addAffiliateEndpoints(ByteString.copyFrom(p.sealEndpoint(e)));
        }
        return b.build();
    }

    @Test
    public void threeNodesSeeEachOtherWithTheirFullAffiliates() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        TestNode c = node("nodeC", "3", s);
        awaitSees(a, b, c);
        awaitSees(b, a, c);
        awaitSees(c, a, b);
        await("b's affiliate at a to be complete", () -> b.local.equals(a.raw().get("service/nodeB")), a::raw);
        assertEquals(c.local, b.raw().get("service/nodeC"));
        assertEquals(a.local, c.raw().get("service/nodeA"));

        await("public address", () -> a.discoveredAddress().isPresent(), a::discoveredAddress);
        assertEquals("127.0.0.1", a.discoveredAddress().get());
        await("status connected", () -> a.status("s1").map(st -> st.state() == ConnectionState.CONNECTED && st.affiliates() == 2)
                .orElse(false), () -> a.status("s1"));
        RegistryStatus st = a.status("s1").get();
        assertEquals("http://" + s.endpoint(), st.endpoint());

        // What went over the wire: own data with TTL 30 min, no plaintext, no own record in the raw view.
        AffiliateUpdateRequest own = s.updates().stream().filter(u -> u.getAffiliateId().equals("nodeA")).findFirst()
                .orElseThrow();
        assertEquals(1800, own.getTtl().getSeconds());
        assertTrue(own.hasAffiliateData());
        assertEquals(2, own.getAffiliateEndpointsCount());
        assertFalse(own.getAffiliateData().toStringUtf8().contains("host1.example"));
        assertFalse(a.raw().containsKey("service/nodeA"));
    }

    @Test
    public void leavingDeletesAtTheServiceButAnUpdateDoesNot() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        TestNode c = node("nodeC", "3", s);
        TestNode d = node("nodeD", "4", s);
        awaitSees(a, b, c, d);
        awaitSees(b, a, c, d);

        // Bundle update of b: stop (as @Deactivate does) and start again on the same store.
        Map<String, Affiliate> before = b.raw();
        b.stopRegistry();
        assertTrue(s.deletes().isEmpty());
        assertTrue(s.affiliates(TestNode.CLUSTER).containsKey("nodeB"));
        assertEquals("outputs survive the update", before, b.raw());
        List<String> destroyed = new java.util.concurrent.CopyOnWriteArrayList<>();
        keep(b.store.watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, e -> {
            if (e.kind() == dev.kubespan.api.ResourceEvent.Kind.DESTROYED) {
                destroyed.add(e.resource().id());
            }
        }));
        List<String> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        keep(b.store.watch(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, e -> {
            if (e.kind() == dev.kubespan.api.ResourceEvent.Kind.UPDATED) {
                states.add(e.resource().spec().state().toString());
            }
        }));
        b.start();
        // The old revision's status said connected; wait for the new client to go through a connect.
        await("b synced again", () -> states.size() >= 2 && states.get(states.size() - 1).equals("connected"),
                () -> states);
        awaitSees(b, a, c, d);
        // Before its first snapshot the new revision knows nothing; it must not wipe what the old one wrote.
        assertEquals(List.of(), destroyed);
        assertEquals(before, b.raw());
        assertTrue(s.deletes().isEmpty());
        assertTrue(a.raw().containsKey("service/nodeB"));

        // c: discovery disabled in its config → leave.
        c.configure(false, TestNode.plain("s1", s));
        await("c's delete", () -> s.deletes().stream().anyMatch(r -> r.getAffiliateId().equals("nodeC")), s::deletes);
        awaitSees(a, b, d);
        awaitSees(b, a, d);
        await("c's own outputs gone", () -> c.raw().isEmpty() && c.discoveredAddress().isEmpty(), c::raw);
        await("c's status disabled", () -> c.status("s1").map(x -> x.state() == ConnectionState.DISABLED).orElse(false),
                () -> c.status("s1"));

        // d: KubeSpan disabled → leave as well.
        d.store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, KubeSpanConfig.builder()
                .clusterId(TestNode.CLUSTER).forceRouting(true).build(), "test");
        awaitSees(a, b);

        // b: its DiscoveryConfig removed altogether → leave.
        b.store.delete(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID, "test");
        awaitSees(a);
        await("b's statuses removed", () -> b.status("s1").isEmpty(), () -> b.status("s1"));
        assertEquals(Set.of("nodeC", "nodeD", "nodeB"),
                s.deletes().stream().map(AffiliateDeleteRequest::getAffiliateId).collect(Collectors.toSet()));
        assertEquals(Set.of("nodeA"), s.affiliates(TestNode.CLUSTER).keySet());
    }

    @Test
    public void aServerRestartIsSurvivedWithBackoff() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        awaitSees(a, b);
        awaitSees(b, a);

        s.close();
        await("a in backoff with an error", () -> a.status("s1")
                .map(st -> st.state() != ConnectionState.CONNECTED && !st.lastError().isEmpty()).orElse(false),
                () -> a.status("s1"));
        // While the service is away, what it told us stays (it would only expire after a TTL).
        assertTrue(a.raw().containsKey("service/nodeB"));

        s.restart();
        // The restarted server knows nothing: both must publish again for the other to see them.
        await("both republished", () -> s.affiliates(TestNode.CLUSTER).keySet().equals(Set.of("nodeA", "nodeB")),
                () -> s.affiliates(TestNode.CLUSTER).keySet());
        await("a connected again", () -> a.status("s1").map(st -> st.state() == ConnectionState.CONNECTED).orElse(false),
                () -> a.status("s1"));
        awaitSees(a, b);
        awaitSees(b, a);
        assertEquals(b.local, a.raw().get("service/nodeB"));
    }

    @Test
    public void anAbortedWatchRecoversWithAFreshSnapshot() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        Affiliate ghost = Fixtures.affiliate("ghost", "9");
        rawClient(s).affiliateUpdate(sealed(Fixtures.payloads(), ghost));
        await("a sees b and the ghost", () -> a.raw().keySet().equals(Set.of("service/nodeB", "service/ghost")),
                a::raw);
        int hellos = s.hellos();

        // The ghost vanishes without an event (a lost update), then the server drops the watchers.
        s.removeSilently(TestNode.CLUSTER, "ghost");
        assertTrue(a.raw().containsKey("service/ghost"));
        s.abortWatches();
        awaitSees(a, b);
        assertTrue("re-Watch goes through Hello again", s.hellos() > hellos);
        awaitSees(b, a);
        assertEquals(b.local, a.raw().get("service/nodeB"));
    }

    @Test
    public void aGarbagePublishingClientDisturbsNobody() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        awaitSees(a, b);
        var raw = rawClient(s);
        SecureRandom r = new SecureRandom();
        byte[] junk = new byte[200];
        r.nextBytes(junk);
        byte[] junkEndpoint = new byte[16];
        r.nextBytes(junkEndpoint);
        raw.affiliateUpdate(update("evil").setAffiliateData(ByteString.copyFrom(junk))
                .addAffiliateEndpoints(ByteString.copyFrom(junkEndpoint)).build());
        raw.affiliateUpdate(update("short").setAffiliateData(ByteString.copyFrom(new byte[3])).build());
        raw.affiliateUpdate(sealed(Fixtures.otherKeyPayloads(), Fixtures.affiliate("foreign", "7")));
        // Junk endpoints reported for a real node: that node's record must stay intact.
        raw.affiliateUpdate(update("nodeB").addAffiliateEndpoints(ByteString.copyFrom(junkEndpoint))
                .addAffiliateEndpoints(ByteString.copyFrom(new byte[15])).build());
        // And a valid newcomer after all that, to show processing goes on.
        raw.affiliateUpdate(sealed(Fixtures.payloads(), Fixtures.affiliate("late", "8")));

        await("a sees b and the newcomer only", () -> a.raw().keySet().equals(Set.of("service/nodeB", "service/late")),
                a::raw);
        await("b's record intact", () -> b.local.equals(a.raw().get("service/nodeB")), a::raw);
        assertEquals(Fixtures.affiliate("late", "8"), a.raw().get("service/late"));
        assertEquals(ConnectionState.CONNECTED, a.status("s1").get().state());
        awaitSeesIds(b, "nodeA", "late");
    }

    @Test
    public void harvestedEndpointsArePublishedForThatAffiliate() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        TestNode c = node("nodeC", "3", s);
        awaitSees(c, a, b);
        a.store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, b.local.kubespan().publicKey().toBase64(),
                new KubeSpanEndpoint("nodeB", "203.0.113.7:41000"), "test");
        a.store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "selfKey",
                new KubeSpanEndpoint("nodeA", "203.0.113.8:41000"), "test");
        await("c sees the harvested endpoint of b", () -> {
            Affiliate seen = c.raw().get("service/nodeB");
            return seen != null && seen.kubespan().endpoints().contains(Endpoint.parse("203.0.113.7:41000"));
        }, c::raw);
        List<String> bEndpoints = Specs.texts(c.raw().get("service/nodeB").kubespan().endpoints());
        assertEquals(List.of("192.0.2.2:51820", "[2001:db8::2]:51820", "203.0.113.7:41000"), bEndpoints);
        assertTrue(s.updates().stream().anyMatch(u -> u.getAffiliateId().equals("nodeB") && !u.hasAffiliateData()
                && u.getAffiliateEndpointsCount() == 1));
        assertFalse("own ID is never harvested", c.raw().get("service/nodeA").kubespan().endpoints()
                .contains(Endpoint.parse("203.0.113.8:41000")));
    }

    @Test
    public void twoServicesAreMergedByNodeId() throws Exception {
        TestClusterServer s1 = server();
        TestClusterServer s2 = server();
        TestNode a = node("nodeA", "1", s1, s2);
        TestNode b = node("nodeB", "2", s1);
        TestNode c = node("nodeC", "3", s2);
        awaitSees(a, b, c);
        awaitSees(b, a);
        awaitSees(c, a);
        assertEquals(b.local, a.raw().get("service/nodeB"));
        assertEquals(c.local, a.raw().get("service/nodeC"));

        // x reports different endpoints to each service: a sees the union, not the last writer.
        Affiliate x1 = Fixtures.affiliate("x", "20");
        AffiliateKubeSpan k = x1.kubespan();
        Affiliate x2 = new Affiliate("x", List.of("198.51.100.20"), "", "", "", "unknown",
                new AffiliateKubeSpan(k.publicKey(), k.address(), List.of(), Specs.endpoints(List.of("198.51.100.20:51820")), List.of()),
                null);
        rawClient(s1).affiliateUpdate(sealed(Fixtures.payloads(), x1));
        rawClient(s2).affiliateUpdate(sealed(Fixtures.payloads(), x2));
        await("x merged", () -> {
            Affiliate x = a.raw().get("service/x");
            return x != null && x.kubespan().endpoints().size() == 3;
        }, a::raw);
        Affiliate x = a.raw().get("service/x");
        assertEquals(List.of("192.0.2.20:51820", "[2001:db8::20]:51820", "198.51.100.20:51820"),
                Specs.texts(x.kubespan().endpoints()));
        assertEquals("host20.example", x.hostname());
        assertEquals("controlplane", x.machineType());
        assertTrue(x.addresses().contains("198.51.100.20"));

        // Gone from one service: still known through the other. Gone from both: deleted.
        rawClient(s1).affiliateDelete(AffiliateDeleteRequest.newBuilder().setClusterId(TestNode.CLUSTER)
                .setAffiliateId("x").build());
        await("x from s2 only", () -> x2.equals(a.raw().get("service/x")), a::raw);
        rawClient(s2).affiliateDelete(AffiliateDeleteRequest.newBuilder().setClusterId(TestNode.CLUSTER)
                .setAffiliateId("x").build());
        awaitSees(a, b, c);

        assertEquals(ConnectionState.CONNECTED, a.status("s1").get().state());
        await("s2 connected", () -> a.status("s2").map(st -> st.state() == ConnectionState.CONNECTED).orElse(false),
                () -> a.status("s2"));

        // Dropping s2 from a's config: a leaves s2 only, and c (seen only there) disappears from a.
        a.configure(true, TestNode.plain("s1", s1));
        awaitSees(a, b);
        await("a left s2", () -> !s2.affiliates(TestNode.CLUSTER).containsKey("nodeA"), () -> s2.deletes());
        assertTrue(s1.affiliates(TestNode.CLUSTER).containsKey("nodeA"));
        await("s2 status gone", () -> a.status("s2").isEmpty(), () -> a.status("s2"));
    }

    @Test
    public void redirectIsHonoured() throws Exception {
        TestClusterServer target = server();
        TestClusterServer old = server();
        old.redirectTo(target.endpoint());
        TestNode a = node("nodeA", "1", old);
        TestNode b = node("nodeB", "2", target);
        awaitSees(b, a);
        awaitSees(a, b);
        assertEquals("http://" + target.endpoint(), a.status("s1").get().endpoint());
        assertTrue(old.affiliates(TestNode.CLUSTER).isEmpty());
    }

    @Test
    public void periodicRefreshResendsTheSameDataAndLocalChangesGoOutAtOnce() throws Exception {
        TestClusterServer s = server();
        // TTL 4 s: refresh every 2 s.
        TestNode a = keep(new TestNode("nodeA", "1", Duration.ofSeconds(4),
                DiscoveryClient.ChannelFactory.standard("test"), TestNode.plain("s1", s))).start();
        TestNode b = node("nodeB", "2", s);
        awaitSees(b, a);
        await("three refreshes", () -> ownUpdates(s, "nodeA").size() >= 3, () -> ownUpdates(s, "nodeA").size());
        List<AffiliateUpdateRequest> ups = ownUpdates(s, "nodeA");
        assertEquals("no re-encryption without a change", 1,
                ups.stream().map(AffiliateUpdateRequest::getAffiliateData).distinct().count());
        assertEquals(4, ups.get(0).getTtl().getSeconds());

        Affiliate changed = Fixtures.affiliate("nodeA", "77");
        a.setLocal(changed);
        await("b sees the change", () -> {
            Affiliate seen = b.raw().get("service/nodeA");
            return seen != null && seen.hostname().equals("host77.example");
        }, b::raw);
        Affiliate seen = b.raw().get("service/nodeA");
        assertEquals(changed.addresses(), seen.addresses());
        assertEquals(changed.kubespan().publicKey(), seen.kubespan().publicKey());
        // The service merges endpoint sets (old ones expire there per endpoint), so new ones are added.
        assertTrue(seen.kubespan().endpoints().containsAll(changed.kubespan().endpoints()));
    }

    @Test
    public void tlsByDefault() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("discovery-tls");
        java.nio.file.Path cert = dir.resolve("cert.pem");
        java.nio.file.Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        org.junit.Assume.assumeTrue("openssl is needed to make a test certificate", p.waitFor() == 0);
        TestClusterServer s = keep(new TestClusterServer(cert, key).start());
        DiscoveryClient.ChannelFactory trustTestCa = (target, keepAlive, prefix) -> {
            OwnedChannel.Builder bld = OwnedChannel.forTarget(target.authority()).threadNamePrefix(prefix)
                    .keepAliveTime(keepAlive);
            if (target.insecure()) {
                bld.plaintext();
            } else {
                bld.trustedCa(cert);
            }
            return bld.build();
        };
        var tls = new dev.kubespan.api.spec.DiscoveryServiceEndpoint("s1", s.endpoint(), false);
        TestNode a = keep(new TestNode("nodeA", "1", Duration.ofMinutes(30), trustTestCa, tls)).start();
        TestNode b = keep(new TestNode("nodeB", "2", Duration.ofMinutes(30), trustTestCa, tls)).start();
        awaitSees(a, b);
        assertEquals("https://" + s.endpoint(), a.status("s1").get().endpoint());
        // Plaintext against a TLS port does not connect, and says so.
        TestNode c = keep(new TestNode("nodeC", "3", Duration.ofMinutes(30), trustTestCa,
                new dev.kubespan.api.spec.DiscoveryServiceEndpoint("s1", "http://" + s.endpoint(), false))).start();
        await("c reports an error", () -> c.status("s1").map(st -> !st.lastError().isEmpty()).orElse(false),
                () -> c.status("s1"));
        assertFalse(c.status("s1").get().state() == ConnectionState.CONNECTED);
        for (java.nio.file.Path f : List.of(cert, key, dir)) {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    public void closeLeavesNoThreadBehind() throws Exception {
        TestClusterServer s = server();
        TestNode a = node("nodeA", "1", s);
        TestNode b = node("nodeB", "2", s);
        awaitSees(a, b);
        assertFalse(discoveryThreads().isEmpty());
        a.close();
        b.close();
        // close() has waited for the client threads, their channels' threads and the controller's thread.
        await("no discovery threads", () -> discoveryThreads().isEmpty(), DiscoveryRegistryIntegrationTest::discoveryThreads);
    }

    /** The runtime's lane of {@link DiscoveryRegistry#NAME}. */
    private static final String REGISTRY_THREAD = "kubespan-discovery.service/registry";

    private static List<String> discoveryThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("kubespan-discovery") || n.equals(REGISTRY_THREAD)).sorted().toList();
    }

    private static List<AffiliateUpdateRequest> ownUpdates(TestClusterServer s, String id) {
        return s.updates().stream().filter(u -> u.getAffiliateId().equals(id) && u.hasAffiliateData()).toList();
    }
}
