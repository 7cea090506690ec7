package dev.kubespan.discovery.service.internal;

import static dev.kubespan.discovery.service.internal.DiscoveryRegistryIntegrationTest.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.server.internal.DiscoveryServer;
import dev.kubespan.discovery.server.internal.ServerSettings;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.test.Specs;

/**
 * The registry against the project's own discovery server ({@code dev.kubespan.discovery.server},
 * default limits and rate limiting) over real gRPC on 127.0.0.1. (An ABORTED watch needs a
 * subscriber that stops reading, which cannot be forced from outside that server; it is covered
 * with {@link TestClusterServer} in {@link DiscoveryRegistryIntegrationTest}.)
 */
public class RealServerIntegrationTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private DiscoveryServer server;
    private int port;

    @After
    public void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void startServer(int onPort) throws IOException {
        server = DiscoveryServer.start(new ServerSettings()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort))
                .metrics(null), Log.console("[discovery server]", false));
        port = server.port();
    }

    private TestNode node(String id, String octet) {
        TestNode n = new TestNode(id, octet, TestNode.plain("s1", "127.0.0.1:" + port));
        closeables.add(n);
        return n.start();
    }

    private static void awaitSees(TestNode n, String... ids) {
        Set<String> want = java.util.Arrays.stream(ids).map(id -> "service/" + id).collect(Collectors.toSet());
        await(n.id + " to see exactly " + want, () -> n.raw().keySet().equals(want), n::raw);
    }

    private Set<String> serverIds() {
        return server.state().list(TestNode.CLUSTER).stream().map(AffiliateView::id).collect(Collectors.toSet());
    }

    @Test
    public void nodesSeeEachOtherAndLeavingReachesWatchers() throws Exception {
        startServer(0);
        TestNode a = node("nodeA", "1");
        TestNode b = node("nodeB", "2");
        TestNode c = node("nodeC", "3");
        awaitSees(a, "nodeB", "nodeC");
        awaitSees(b, "nodeA", "nodeC");
        awaitSees(c, "nodeA", "nodeB");
        await("full affiliates", () -> b.local.equals(a.raw().get("service/nodeB"))
                && c.local.equals(a.raw().get("service/nodeC")), a::raw);
        await("public address", () -> a.discoveredAddress().isPresent(), a::discoveredAddress);
        assertEquals("127.0.0.1", a.discoveredAddress().get());
        await("connected", () -> a.status("s1").map(s -> s.state() == ConnectionState.CONNECTED).orElse(false),
                () -> a.status("s1"));

        // An update (stop + start on the same store) is not a leave.
        b.stopRegistry();
        assertTrue(serverIds().contains("nodeB"));
        b.start();

        c.configure(false, TestNode.plain("s1", "127.0.0.1:" + port));
        awaitSees(a, "nodeB");
        awaitSees(b, "nodeA");
        assertEquals(Set.of("nodeA", "nodeB"), serverIds());
    }

    @Test
    public void nodesMoveToTheNextReplicaWhenTheirServerStopsAndKeepTheirAffiliates() throws Exception {
        startServer(0);
        DiscoveryServer second = DiscoveryServer.start(new ServerSettings()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).metrics(null), Log.console("[discovery server]", false));
        closeables.add(second);
        String replicas = "127.0.0.1:" + port + ",127.0.0.1:" + second.port();
        TestNode a = new TestNode("nodeA", "1", TestNode.plain("s1", replicas));
        TestNode b = new TestNode("nodeB", "2", TestNode.plain("s1", replicas));
        closeables.add(a);
        closeables.add(b);
        a.start();
        b.start();
        awaitSees(a, "nodeB");
        awaitSees(b, "nodeA");
        assertEquals("both on the first replica", Set.of("nodeA", "nodeB"), serverIds());

        server.close(); // the first replica goes away
        server = null;
        long t0 = System.nanoTime();
        await("both nodes published on the second replica", () -> second.state().list(TestNode.CLUSTER).size() == 2,
                () -> second.state().list(TestNode.CLUSTER));
        System.out.printf("FIGURE client failover to the next replica: affiliates on it %.1f s after the first stopped%n",
                (System.nanoTime() - t0) / 1e9);
        await("connected to the second replica", () -> a.status("s1")
                .map(s -> s.state() == ConnectionState.CONNECTED && s.endpoint().contains(":" + second.port() + ",")).orElse(false),
                () -> a.status("s1"));
        // Each sees the other again once the other's publication on the second replica reached
        // its watch there: connecting first can mean a snapshot without the other yet.
        await("nodeA sees nodeB through the second replica", () -> a.raw().keySet().equals(Set.of("service/nodeB")),
                () -> a.raw().keySet());
        await("nodeB sees nodeA through the second replica", () -> b.raw().keySet().equals(Set.of("service/nodeA")),
                () -> b.raw().keySet());
    }

    /** AffiliateUpdate RPCs the server has handled so far, from its own metrics. */
    private long updatesHandled() {
        long sum = 0;
        for (String line : server.metrics().render().split("\n")) {
            if (line.startsWith("grpc_server_handled_total{") && line.contains("grpc_method=\"AffiliateUpdate\"")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    public void anIdleNodeSendsNothingBeyondItsRefreshes() throws Exception {
        startServer(0);
        TestNode a = node("nodeA", "1");
        TestNode b = node("nodeB", "2");
        TestNode c = node("nodeC", "3");
        awaitSees(a, "nodeB", "nodeC");
        awaitSees(b, "nodeA", "nodeC");
        awaitSees(c, "nodeA", "nodeB");
        // Every node published once and saw the others' echoes; from now on nothing changes.
        Thread.sleep(500);
        long before = updatesHandled();
        Thread.sleep(5000);
        long during = updatesHandled() - before;
        System.out.println("FIGURE idle 3-node mesh: AffiliateUpdate RPCs in 5 s = " + during + " (before: " + before + ")");
        assertEquals("an idle node re-sent its unchanged affiliate (the refresh is every TTL/2 = 15 min)", 0, during);
        assertTrue("each node published at least once", before >= 3);

        // A real change is sent once, and reaches the others.
        a.store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, b.local.kubespan().publicKey().toBase64(),
                new KubeSpanEndpoint("nodeB", "203.0.113.9:41000"), "test");
        await("c sees the harvested endpoint", () -> c.raw().get("service/nodeB").kubespan().endpoints()
                .contains(Endpoint.parse("203.0.113.9:41000")), c::raw);
        Thread.sleep(2000);
        long afterChange = updatesHandled() - before;
        assertTrue("one change = one own update + one endpoint update of nodeB, got " + afterChange,
                afterChange >= 1 && afterChange <= 2);
    }

    @Test
    public void aServerRestartIsSurvived() throws Exception {
        startServer(0);
        TestNode a = node("nodeA", "1");
        TestNode b = node("nodeB", "2");
        awaitSees(a, "nodeB");
        awaitSees(b, "nodeA");

        int samePort = port;
        server.close();
        server = null;
        await("a notices", () -> a.status("s1").map(s -> s.state() != ConnectionState.CONNECTED).orElse(false),
                () -> a.status("s1"));
        startServer(samePort);
        // No snapshot: the new server is empty until both clients publish again.
        await("both back", () -> serverIds().equals(Set.of("nodeA", "nodeB")), this::serverIds);
        TestNode c = node("nodeC", "3");
        awaitSees(a, "nodeB", "nodeC");
        awaitSees(c, "nodeA", "nodeB");
        assertEquals(b.local, a.raw().get("service/nodeB"));
    }

    @Test
    public void garbageAndHarvestedEndpointsThroughTheRealServer() throws Exception {
        startServer(0);
        TestNode a = node("nodeA", "1");
        TestNode b = node("nodeB", "2");
        awaitSees(a, "nodeB");

        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + port).plaintext().threadNamePrefix("test-raw").build();
        closeables.add(ch);
        var raw = ClusterGrpc.newBlockingStub(ch.channel());
        byte[] junk = new byte[300];
        new SecureRandom().nextBytes(junk);
        com.google.protobuf.Duration ttl = com.google.protobuf.Duration.newBuilder().setSeconds(600).build();
        raw.affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId(TestNode.CLUSTER).setAffiliateId("evil")
                .setAffiliateData(ByteString.copyFrom(junk)).addAffiliateEndpoints(ByteString.copyFrom(junk, 0, 32))
                .setTtl(ttl).build());
        raw.affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId(TestNode.CLUSTER).setAffiliateId("nodeB")
                .addAffiliateEndpoints(ByteString.copyFrom(junk, 32, 16)).setTtl(ttl).build());
        SealedPayloads foreign = Fixtures.otherKeyPayloads();
        Affiliate f = Fixtures.affiliate("foreign", "7");
        raw.affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId(TestNode.CLUSTER).setAffiliateId("foreign")
                .setAffiliateData(ByteString.copyFrom(foreign.sealAffiliate(f, p -> {
                }))).addAffiliateEndpoints(ByteString.copyFrom(foreign.sealEndpoint(Endpoint.parse("10.9.9.9:1"))))
                .setTtl(ttl).build());

        a.store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, b.local.kubespan().publicKey().toBase64(),
                new KubeSpanEndpoint("nodeB", "203.0.113.7:41000"), "test");
        TestNode c = node("nodeC", "3");
        await("c sees b with the harvested endpoint, and nothing foreign", () -> {
            Affiliate seen = c.raw().get("service/nodeB");
            return c.raw().keySet().equals(Set.of("service/nodeA", "service/nodeB")) && seen != null
                    && seen.kubespan().endpoints().contains(Endpoint.parse("203.0.113.7:41000"));
        }, c::raw);
        assertEquals(List.of("192.0.2.2:51820", "[2001:db8::2]:51820", "203.0.113.7:41000"),
                Specs.texts(c.raw().get("service/nodeB").kubespan().endpoints()));
        assertEquals(b.local.hostname(), c.raw().get("service/nodeB").hostname());
        assertEquals(a.local, c.raw().get("service/nodeA"));
        awaitSees(a, "nodeB", "nodeC");
        assertEquals(ConnectionState.CONNECTED, a.status("s1").get().state());
    }
}
