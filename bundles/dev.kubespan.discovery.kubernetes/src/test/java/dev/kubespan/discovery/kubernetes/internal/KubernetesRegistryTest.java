package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.Watch;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.Affiliates;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;
import dev.kubespan.test.Specs;

/**
 * The registry end to end: registry instances with separate stores and node names talk to a
 * Kubernetes API server over real TLS on 127.0.0.1 (list, watch, strategic merge patch, token and
 * client-certificate authentication), as Talos nodes sharing a cluster would.
 */
public class KubernetesRegistryTest {
    private static final TestPki PKI = new TestPki();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RESYNC = Duration.ofSeconds(1);

    static final String ID_A = "3lVwNMxqTNsnWDSeUjuELAnHVztpJYBO1Ajy0EQ6NEH";
    static final String ID_B = "6dAcuNkjv1dQCGzNmdHTdpK4qkTRGxmrBjqcvtPFNj1";
    static final String ID_C = "9pTnT6R3dmdO0XHtGvBvcvH1mcvKP1kcyXQSfXtDLz2";
    static final String KEY_A = "mB6NyS4vYHa1Yu/FNJTFEhjI1FhG3WB4WD9ykf1JUWU=";
    static final String KEY_B = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    static final String KEY_C = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
    static final String KS_A = "fd7f:175a:b97c:5602:e871:1bff:feb2:ccee";
    static final String KS_B = "fd7f:175a:b97c:5602:200:5eff:fe00:5301";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeKubeApiServer api;
    private final List<RegistryNode> nodes = new ArrayList<>();

    static Affiliate localA() {
        return new Affiliate(ID_A, List.of("192.0.2.10", "2001:db8::10"), "a", "node-a", "kubespan-osgi",
                "controlplane",
                Specs.kubeSpan(KEY_A, KS_A, List.of("10.244.0.0/24"),
                        List.of("192.0.2.10:51820", "[2001:db8::10]:51820"), List.of("192.0.2.128/25")),
                new ControlPlane(6443));
    }

    static Affiliate localB() {
        return new Affiliate(ID_B, List.of("192.0.2.11"), "b", "node-b", "kubespan-osgi", "worker",
                Specs.kubeSpan(KEY_B, KS_B, List.of(), List.of("192.0.2.11:51820"), List.of()), null);
    }

    /** What node A looks like through its Node: hostname and OS come from the Node's status. */
    static Affiliate seenA() {
        Affiliate a = localA();
        return new Affiliate(ID_A, a.addresses(), "node-a.example", "node-a", "Talos (v1.10.0)", "controlplane",
                a.kubespan(), a.controlPlane());
    }

    static Affiliate seenB() {
        Affiliate b = localB();
        return new Affiliate(ID_B, b.addresses(), "node-b.example", "node-b", "Debian GNU/Linux 12 (bookworm)",
                "worker", b.kubespan(), null);
    }

    @Before
    public void cluster() throws Exception {
        api = new FakeKubeApiServer(PKI.serverContext(PKI.server()));
        api.createNode("node-a", true, "node-a.example", "192.0.2.10", "Talos (v1.10.0)");
        api.createNode("node-b", false, "node-b.example", "192.0.2.11", "Debian GNU/Linux 12 (bookworm)");
        api.allowToken("token-a", "system:node:node-a");
    }

    @After
    public void shutdown() {
        nodes.forEach(RegistryNode::close);
        api.close();
    }

    private RegistryNode node(String id, Affiliate local, AccessLocator locator) {
        RegistryNode n = new RegistryNode(id, local, locator, RESYNC);
        nodes.add(n);
        return n;
    }

    /** Node A authenticates with a bearer token. */
    private RegistryNode nodeA() throws Exception {
        Path kc = Kubeconfigs.write(tmp.getRoot().toPath().resolve("a/kubeconfig"), api.url(),
                PKI.ca.certificatePem(), Kubeconfigs.token("token-a"));
        return node(ID_A, localA(), RegistryNode.kubeconfig(kc));
    }

    /** Node B authenticates with a client certificate (EC key in SEC1 form), as a kubelet does. */
    private RegistryNode nodeB() throws Exception {
        TestPki.Issued cert = PKI.client("system:node:node-b", "EC");
        Path kc = Kubeconfigs.write(tmp.getRoot().toPath().resolve("b/kubeconfig"), api.url(),
                PKI.ca.certificatePem(), Kubeconfigs.certificateData(cert.certificatePem(), cert.traditionalPem()));
        return node(ID_B, localB(), RegistryNode.kubeconfig(kc));
    }

    /** The annotations of the registries (Talos' two prefixes), not the kubelet's. */
    private Map<String, String> ours(String node) {
        return api.annotations(node).entrySet().stream()
                .filter(e -> e.getKey().startsWith("cluster.talos.dev/") || e.getKey().startsWith("networking.talos.dev/"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, TreeMap::new));
    }

    /** A Talos node the test registries do not run: an administrator (or Talos itself) annotated it. */
    private void talosNode(String name, String id, String key, String endpoint) throws Exception {
        api.createNode(name, false, name + ".example", "192.0.2.30", "Talos (v1.10.0)");
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode an = patch.putObject("metadata").putObject("annotations");
        an.put(NodeAnnotations.NODE_ID, id);
        an.put(NodeAnnotations.SELF_IPS, "192.0.2.30");
        an.put(NodeAnnotations.KUBESPAN_PUBLIC_KEY, key);
        an.put(NodeAnnotations.KUBESPAN_ENDPOINTS, endpoint);
        api.patch(name, patch);
    }

    @Test
    public void twoNodesPublishAndSeeEachOther() throws Exception {
        RegistryNode a = nodeA().start();
        RegistryNode b = nodeB().start();

        Map<String, String> expectedA = new TreeMap<>();
        expectedA.put("cluster.talos.dev/node-id", ID_A);
        expectedA.put("networking.talos.dev/self-ips", "192.0.2.10,2001:db8::10");
        expectedA.put("networking.talos.dev/api-server-port", "6443");
        expectedA.put("networking.talos.dev/kubespan-ip", KS_A);
        expectedA.put("networking.talos.dev/kubespan-public-key", KEY_A);
        expectedA.put("networking.talos.dev/assigned-prefixes", "10.244.0.0/24");
        expectedA.put("networking.talos.dev/kubespan-endpoints", "192.0.2.10:51820,[2001:db8::10]:51820");
        expectedA.put("networking.talos.dev/kubespan-exclude-advertised-networks", "192.0.2.128/25");
        Await.equal("node-a's annotations", expectedA, () -> ours("node-a"));

        Map<String, String> expectedB = new TreeMap<>();
        expectedB.put("cluster.talos.dev/node-id", ID_B);
        expectedB.put("networking.talos.dev/self-ips", "192.0.2.11");
        expectedB.put("networking.talos.dev/kubespan-ip", KS_B);
        expectedB.put("networking.talos.dev/kubespan-public-key", KEY_B);
        expectedB.put("networking.talos.dev/kubespan-endpoints", "192.0.2.11:51820");
        Await.equal("node-b's annotations (empty values are not written)", expectedB, () -> ours("node-b"));
        assertEquals("the kubelet's annotation survives the patches", "0",
                api.annotations("node-b").get("node.alpha.kubernetes.io/ttl"));

        Await.equal("B sees A", Map.of("k8s/" + ID_A, seenA()), b::raw);
        Await.equal("A sees B", Map.of("k8s/" + ID_B, seenB()), a::raw);

        for (FakeKubeApiServer.PatchRequest p : api.patches()) {
            assertEquals("application/strategic-merge-patch+json", p.contentType());
            assertEquals("each node patches only its own Node, as its own user",
                    "system:node:" + p.node(), p.user());
        }
        RegistryStatus s = Await.until("A's status", () -> a.status().orElse(null),
                st -> st != null && st.state() == ConnectionState.CONNECTED && st.affiliates() == 1);
        assertEquals("kubernetes", s.registry());
        assertEquals(api.url().toString(), s.endpoint());
        assertEquals("", s.lastError());
        assertTrue(Times.isZero(s.lastErrorTime()));
    }

    @Test
    public void updatesAndDeletionsPropagateThroughTheWatch() throws Exception {
        RegistryNode a = nodeA().start();
        RegistryNode b = nodeB().start();
        talosNode("node-c", ID_C, KEY_C, "192.0.2.30:51820");
        Await.until("B sees A and C", b::raw, m -> m.keySet().equals(java.util.Set.of("k8s/" + ID_A, "k8s/" + ID_C)));

        // A drops KubeSpan and gains an address: the KubeSpan annotations are removed by null values.
        Affiliate changed = new Affiliate(ID_A, List.of("192.0.2.10", "198.51.100.7"), "a", "node-a", "", "controlplane",
                null, new ControlPlane(6443));
        int before = api.patches().size();
        a.local(changed);
        Map<String, String> expected = new TreeMap<>(Map.of("cluster.talos.dev/node-id", ID_A,
                "networking.talos.dev/self-ips", "192.0.2.10,198.51.100.7", "networking.talos.dev/api-server-port",
                "6443"));
        Await.equal("node-a's annotations after the change", expected, () -> ours("node-a"));
        FakeKubeApiServer.PatchRequest patch = api.patches().get(before);
        assertTrue("removed annotations are sent as null",
                patch.body().path("metadata").path("annotations").get(NodeAnnotations.KUBESPAN_PUBLIC_KEY).isNull());
        Affiliate seen = seenA();
        Await.equal("B's view of A follows", new Affiliate(ID_A, changed.addresses(), seen.hostname(), "node-a",
                seen.operatingSystem(), "controlplane", null, new ControlPlane(6443)), () -> b.raw().get("k8s/" + ID_A));

        // An administrator removes node-c's node-id annotation: it no longer takes part.
        api.patch("node-c", JSON.readTree("{\"metadata\":{\"annotations\":{\"cluster.talos.dev/node-id\":null}}}"));
        Await.until("C gone from B", b::raw, m -> !m.containsKey("k8s/" + ID_C));
        Await.until("C gone from A", a::raw, m -> !m.containsKey("k8s/" + ID_C));

        // ...puts it back, then deletes the Node.
        api.patch("node-c", JSON.readTree("{\"metadata\":{\"annotations\":{\"cluster.talos.dev/node-id\":\"" + ID_C
                + "\"}}}"));
        Await.until("C back at A", a::raw, m -> m.containsKey("k8s/" + ID_C));
        api.delete("node-c");
        Await.until("C deleted at A", a::raw, m -> !m.containsKey("k8s/" + ID_C));
        Await.until("C deleted at B", b::raw, m -> !m.containsKey("k8s/" + ID_C));

        // Someone strips B's annotations: B puts them back at its next resync.
        Map<String, String> published = ours("node-b");
        ObjectNode strip = JSON.createObjectNode();
        ObjectNode an = strip.putObject("metadata").putObject("annotations");
        published.keySet().forEach(an::putNull);
        api.patch("node-b", strip);
        Await.equal("B repaired its annotations", published, () -> ours("node-b"));
        Await.until("A sees B again", a::raw, m -> seenB().equals(m.get("k8s/" + ID_B)));
    }

    @Test
    public void relistsWhenTheResourceVersionExpiredDuringAnOutage() throws Exception {
        RegistryNode a = nodeA().start();
        nodeB().start();
        talosNode("node-c", ID_C, KEY_C, "192.0.2.30:51820");
        Await.until("A sees B and C", a::raw, m -> m.keySet().equals(java.util.Set.of("k8s/" + ID_B, "k8s/" + ID_C)));
        int listsBefore = api.listCount();

        api.unavailable(true);
        String err = Await.until("the outage shows in A's status", a::lastError, e -> e.contains("HTTP 503"));
        assertTrue(err, err.startsWith("watch nodes: HTTP 503 ServiceUnavailable"));
        // During the outage node-c goes away and the history is compacted: no event will tell.
        api.delete("node-c");
        api.compact();
        api.unavailable(false);

        Await.equal("A relisted and dropped C", java.util.Set.of("k8s/" + ID_B), () -> a.raw().keySet());
        assertTrue("a watch was refused as expired", api.expiredWatchCount() > 0);
        assertTrue("and answered by listing again", api.listCount() > listsBefore);
        Await.until("A watches again", a::state, "connected"::equals);
        assertTrue("the error stays visible with its time", a.lastError().contains("503"));
        assertFalse(Times.isZero(a.status().orElseThrow().lastErrorTime()));
    }

    @Test
    public void authorizationErrorsShowInTheRegistryStatus() throws Exception {
        talosNode("node-c", ID_C, KEY_C, "192.0.2.30:51820");
        api.allowToken("token-f", "system:node:node-f");
        api.forbid("system:node:node-f");
        Path kc = Kubeconfigs.write(tmp.getRoot().toPath().resolve("f/kubeconfig"), api.url(),
                PKI.ca.certificatePem(), Kubeconfigs.token("token-f"));
        // No local affiliate yet, so only the watch talks to the API server.
        RegistryNode f = node("idF", null, RegistryNode.kubeconfig(kc)).start();

        RegistryStatus s = Await.until("403 in the status", () -> f.status().orElse(null),
                st -> st != null && st.lastError().contains("403"));
        assertTrue(s.lastError(), s.lastError().startsWith("list nodes: HTTP 403 Forbidden: nodes is forbidden: User"
                + " \"system:node:node-f\" cannot list resource \"nodes\""));
        assertEquals(api.url().toString(), s.endpoint());
        assertFalse(Times.isZero(s.lastErrorTime()));
        Await.until("state backoff", f::state, "backoff"::equals);
        assertTrue(f.raw().isEmpty());

        // Granted: the registry recovers on its own.
        api.permit("system:node:node-f");
        Await.equal("F sees C once allowed", java.util.Set.of("k8s/" + ID_C), () -> f.raw().keySet());
        Await.until("connected", f::state, "connected"::equals);

        // Its own Node may be patched only by its own user: a 403 on the push shows too.
        api.forbid("system:node:node-f");
        f.local(new Affiliate("idF", List.of("192.0.2.40"), "f", "node-c", "", "worker", null, null));
        Await.until("the push's 403 in the status", f::lastError, e -> e.startsWith("patch Node node-c: HTTP 403"
                + " Forbidden: nodes \"node-c\" is forbidden"));

        // A token the server does not know.
        Path bad = Kubeconfigs.write(tmp.getRoot().toPath().resolve("g/kubeconfig"), api.url(),
                PKI.ca.certificatePem(), Kubeconfigs.token("stolen"));
        RegistryNode g = node("idG", null, RegistryNode.kubeconfig(bad)).start();
        Await.until("401 in the status", g::lastError, e -> e.equals("list nodes: HTTP 401 Unauthorized: Unauthorized"));
        assertFalse("the token is never shown", g.lastError().contains("stolen")
                || g.log.lines().stream().anyMatch(l -> l.contains("stolen")));
    }

    @Test
    public void aMissingKubeconfigIsReportedAndPickedUpWhenItAppears() throws Exception {
        Path kc = tmp.getRoot().toPath().resolve("later/kubeconfig");
        RegistryNode a = node(ID_A, localA(), RegistryNode.kubeconfig(kc)).start();
        RegistryStatus s = Await.until("missing kubeconfig in the status", () -> a.status().orElse(null),
                st -> st != null && st.lastError().contains("does not exist"));
        assertEquals("kubeconfig " + kc + " does not exist", s.lastError());
        assertEquals(kc.toString(), s.endpoint());

        Kubeconfigs.write(kc, api.url(), PKI.ca.certificatePem(), Kubeconfigs.token("token-a"));
        Await.until("published once the file exists", () -> ours("node-a"), m -> ID_A.equals(m.get(NodeAnnotations.NODE_ID)));
        Await.until("connected", a::state, "connected"::equals);
        Await.until("endpoint", () -> a.status().map(RegistryStatus::endpoint).orElse(""), api.url().toString()::equals);
    }

    @Test
    public void disablingRemovesOnlyItsOwnRawAffiliatesAndLeavesTheNode() throws Exception {
        RegistryNode a = nodeA().start();
        RegistryNode b = nodeB().start();
        Affiliate fromService = new Affiliate(ID_A, List.of("192.0.2.10"), "a", "node-a", "", "controlplane", null, null);
        b.putAs(RegistryNode.SERVICE_REGISTRY_OWNER, ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/" + ID_A,
                fromService);
        Await.until("B sees A", b::raw, m -> m.containsKey("k8s/" + ID_A));
        Await.until("A sees B", a::raw, m -> m.containsKey("k8s/" + ID_B));

        b.configure(true, false);
        Await.equal("only the service registry's affiliate is left", Map.of("service/" + ID_A, fromService), b::raw);
        RegistryStatus s = Await.until("disabled", () -> b.status().orElse(null),
                st -> st != null && st.state() == ConnectionState.DISABLED);
        assertEquals("the Kubernetes registry is disabled", s.lastError());
        assertEquals(0, s.affiliates());
        Await.equal("B removed its annotations from its Node", Map.of(), () -> ours("node-b"));
        Await.until("so A no longer sees B", a::raw, m -> !m.containsKey("k8s/" + ID_B));

        b.configure(true, true);
        Await.until("B back", a::raw, m -> seenB().equals(m.get("k8s/" + ID_B)));
        Await.until("B sees A again", b::raw, m -> seenA().equals(m.get("k8s/" + ID_A)));

        b.configure(false, true);
        Await.until("discovery off", b::lastError, "discovery is disabled"::equals);
        Await.equal("k8s affiliates gone", Map.of("service/" + ID_A, fromService), b::raw);
    }

    @Test
    public void mergesWithTheServiceRegistrysViewOfTheSameNode() throws Exception {
        nodeA().start();
        RegistryNode b = nodeB().start();
        // What the discovery service reported for A: its own hostname and OS, one more address,
        // and an endpoint harvested by another peer.
        Affiliate fromService = new Affiliate(ID_A, List.of("2001:db8::10", "203.0.113.5"), "a.service.example",
                "node-a", "Talos (v1.10.0) via service", "controlplane",
                Specs.kubeSpan(KEY_A, KS_A, List.of("10.244.0.0/24"), List.of("203.0.113.5:51820"), List.of()),
                new ControlPlane(6443));
        b.putAs(RegistryNode.SERVICE_REGISTRY_OWNER, ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/" + ID_A,
                fromService);
        Await.until("k8s view of A", b::raw, m -> seenA().equals(m.get("k8s/" + ID_A)));

        // The manager's merge: raw affiliates in id order, grouped by node ID, the first the base.
        Map<String, List<Affiliate>> byNode = new LinkedHashMap<>();
        for (Resource<Affiliate> r : b.store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW)) {
            byNode.computeIfAbsent(r.spec().nodeId(), k -> new ArrayList<>()).add(r.spec());
        }
        assertEquals("one node, two raw views", 1, byNode.size());
        assertEquals("k8s first", seenA(), byNode.get(ID_A).get(0));
        Affiliate merged = Affiliates.mergeAll(byNode.get(ID_A));
        Affiliate expected = new Affiliate(ID_A, List.of("192.0.2.10", "2001:db8::10", "203.0.113.5"),
                "a.service.example", "node-a", "Talos (v1.10.0)", "controlplane",
                Specs.kubeSpan(KEY_A, KS_A, List.of("10.244.0.0/24"),
                        List.of("192.0.2.10:51820", "[2001:db8::10]:51820", "203.0.113.5:51820"),
                        List.of("192.0.2.128/25")),
                new ControlPlane(6443));
        assertEquals(expected, merged);
    }

    @Test
    public void stoppingLeavesOutputsAndNoThreadsAndARestartAdoptsThem() throws Exception {
        RegistryNode a = nodeA().start();
        RegistryNode b = nodeB().start();
        talosNode("node-c", ID_C, KEY_C, "192.0.2.30:51820");
        Await.until("B sees A and C", b::raw, m -> m.keySet().equals(java.util.Set.of("k8s/" + ID_A, "k8s/" + ID_C)));
        List<String> destroyed = new CopyOnWriteArrayList<>();
        List<String> created = new CopyOnWriteArrayList<>();
        Watch w = b.store.watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, (ResourceEvent<Affiliate> e) -> {
            if (e.kind() == ResourceEvent.Kind.DESTROYED) {
                destroyed.add(e.resource().id());
            } else if (e.kind() == ResourceEvent.Kind.CREATED) {
                created.add(e.resource().id());
            }
        });
        try {
            a.stop();
            b.stop();
            Await.equal("no registry thread is left", List.of(), KubernetesRegistryTest::registryThreads);
            assertEquals("outputs outlive the registry", java.util.Set.of("k8s/" + ID_A, "k8s/" + ID_C),
                    b.raw().keySet());
            assertTrue(b.status().isPresent());

            api.delete("node-c"); // while B is down
            b.start();
            Await.equal("the restarted registry drops what is gone after its first list",
                    java.util.Set.of("k8s/" + ID_A), () -> b.raw().keySet());
            // Store events reach a watch in order on a store thread: once a marker written now has
            // arrived, every earlier event has too.
            b.putAs("test", ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "test/marker", seenB());
            Await.until("events delivered", () -> List.copyOf(created), c -> c.contains("test/marker"));
            assertEquals("A never vanished across the restart", List.of("k8s/" + ID_C), destroyed);
            assertEquals(seenA(), b.raw().get("k8s/" + ID_A));
        } finally {
            w.close();
        }
    }

    @Test
    public void runsOnAnInClusterServiceAccountWithARotatingToken() throws Exception {
        Path sa = tmp.newFolder("serviceaccount").toPath();
        Files.writeString(sa.resolve("ca.crt"), PKI.ca.certificatePem());
        Files.writeString(sa.resolve("token"), "sa-token-1");
        api.allowToken("sa-token-1", "system:serviceaccount:kube-system:kubespan");
        Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT",
                Integer.toString(api.url().getPort()));
        RegistryNode a = node(ID_A, localA(), new AccessLocator("", tmp.getRoot().toPath(), env, sa)).start();
        Await.until("published in-cluster", () -> ours("node-a"), m -> ID_A.equals(m.get(NodeAnnotations.NODE_ID)));
        Await.until("in-cluster endpoint", () -> a.status().map(RegistryStatus::endpoint).orElse(""),
                (api.url() + " (in-cluster)")::equals);

        // The kubelet rotates the projected token; the old one stops working.
        Files.writeString(sa.resolve("token"), "sa-token-2");
        api.allowToken("sa-token-2", "system:serviceaccount:kube-system:kubespan");
        api.revokeToken("sa-token-1");
        Affiliate moved = new Affiliate(ID_A, List.of("192.0.2.99"), "a", "node-a", "", "controlplane", null, null);
        a.local(moved);
        Await.until("the change is published with the new token", () -> ours("node-a"),
                m -> "192.0.2.99".equals(m.get(NodeAnnotations.SELF_IPS)));
    }

    @Test
    public void badNodeDataIsLoggedOnceAndSkipped() throws Exception {
        RegistryNode a = nodeA().start();
        api.createNode("node-x", false, "x", "192.0.2.50", "Linux");
        api.patch("node-x", JSON.readTree("{\"metadata\":{\"annotations\":{"
                + "\"cluster.talos.dev/node-id\":\"idX\","
                + "\"networking.talos.dev/self-ips\":\"192.0.2.50,garbage\","
                + "\"networking.talos.dev/kubespan-public-key\":\"" + KEY_C + "\","
                + "\"networking.talos.dev/kubespan-endpoints\":\"nonsense,192.0.2.50:51820\"}}}"));
        ObjectNode nameless = (ObjectNode) JSON.readTree("{\"kind\":\"Node\",\"metadata\":{\"labels\":{}}}");
        api.create(nameless);
        ObjectNode oddTypes = (ObjectNode) JSON.readTree("{\"kind\":\"Node\",\"metadata\":{\"name\":\"node-odd\","
                + "\"annotations\":{\"cluster.talos.dev/node-id\":5}},\"status\":{\"addresses\":\"none\"}}");
        api.create(oddTypes);

        // A stale Node of a reinstalled machine with the same node ID: the first by name counts.
        api.createNode("node-z", false, "z", "192.0.2.51", "Linux");
        api.patch("node-z", JSON.readTree("{\"metadata\":{\"annotations\":{\"cluster.talos.dev/node-id\":\"idX\"}}}"));

        Affiliate x = Await.until("X read with its bad items skipped", () -> a.raw().get("k8s/idX"), v -> v != null);
        assertEquals(List.of("192.0.2.50"), x.addresses());
        assertEquals(List.of("192.0.2.50:51820"), Specs.texts(x.kubespan().endpoints()));
        assertEquals("the nameless and odd Nodes take no part", java.util.Set.of("k8s/idX"), a.raw().keySet());
        Await.until("the bad item is logged", () -> a.warningsContaining("skipping 'garbage'"), n -> n == 1);
        Await.until("the nameless Node is logged", () -> a.warningsContaining("a Node has no metadata.name"),
                n -> n >= 1);
        Await.until("the duplicate is logged", () -> a.warningsContaining("Node node-z carries the node-id of Node"
                + " node-x"), n -> n == 1);
        assertEquals("node-x", a.raw().get("k8s/idX").nodename());

        // The registry goes on working, and a bad Node is not reported again on every pass.
        talosNode("node-c", ID_C, KEY_C, "192.0.2.30:51820");
        Await.until("C seen", a::raw, m -> m.containsKey("k8s/" + ID_C));
        assertEquals(1, a.warningsContaining("skipping 'garbage'"));
        assertEquals(1, a.warningsContaining("Node node-z carries the node-id"));
    }

    private static List<String> registryThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            // The runtime names the controller's thread after KubernetesRegistry.NAME.
            if (t.isAlive() && (t.getName().startsWith("kubespan-k8s") || t.getName().equals("kubespan-discovery.kubernetes/registry"))) {
                out.add(t.getName());
            }
        }
        return out;
    }
}
