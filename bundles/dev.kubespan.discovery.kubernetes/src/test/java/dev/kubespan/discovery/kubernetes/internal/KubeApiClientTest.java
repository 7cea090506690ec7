package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The API client against the TLS test API server on 127.0.0.1. */
public class KubeApiClientTest {
    private static final TestPki PKI = new TestPki();
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeKubeApiServer api;
    private final List<KubeApiClient> clients = new ArrayList<>();

    @Before
    public void startServer() throws IOException {
        api = new FakeKubeApiServer(PKI.serverContext(PKI.server()));
        api.allowToken("good", "system:node:node-a");
        api.allowToken("nope", "system:anonymous-ish");
        api.forbid("system:anonymous-ish");
        for (String n : List.of("node-a", "node-b", "node-c", "node-d", "node-e")) {
            api.createNode(n, n.equals("node-a"), n + ".example", "192.0.2.1", "Linux");
        }
    }

    @After
    public void stop() {
        clients.forEach(KubeApiClient::close);
        api.close();
    }

    private KubeApiClient client(ClusterAccess.Credentials credentials) throws ClusterAccessException {
        KubeApiClient c = new KubeApiClient(new ClusterAccess(api.url(), List.of(PKI.ca.certificate()), credentials,
                "test"), JSON);
        clients.add(c);
        return c;
    }

    @Test
    public void listsEveryPageAtOneResourceVersion() throws Exception {
        KubeApiClient.NodeList<JsonNode> l = client(new ClusterAccess.Token("good")).listNodes(Optional::of);
        List<String> names = new ArrayList<>();
        l.items().forEach(n -> names.add(n.path("metadata").path("name").asText()));
        assertEquals("three pages of at most two", List.of("node-a", "node-b", "node-c", "node-d", "node-e"), names);
        assertEquals("105", l.resourceVersion());
    }

    @Test
    public void authenticatesWithClientCertificatesOfBothKeyTypes() throws Exception {
        for (String alg : List.of("EC", "RSA")) {
            TestPki.Issued c = PKI.client("system:node:" + alg.toLowerCase(), alg);
            ClusterAccess.ClientCertificate cc = new ClusterAccess.ClientCertificate(List.of(c.certificate()),
                    Pem.privateKey(c.traditionalPem().getBytes(), "key"));
            client(cc).patchNodeAnnotations("node-b", Map.of("k-" + alg, "v"));
            FakeKubeApiServer.PatchRequest last = api.patches().get(api.patches().size() - 1);
            assertEquals("the server saw the certificate's user", "system:node:" + alg.toLowerCase(), last.user());
        }
    }

    @Test
    public void patchesAnnotationsWithAStrategicMergePatchWhereNullRemoves() throws Exception {
        KubeApiClient c = client(new ClusterAccess.Token("good"));
        c.patchNodeAnnotations("node-a", Map.of("a", "1", "b", "2"));
        Map<String, String> patch = new LinkedHashMap<>();
        patch.put("a", null);
        patch.put("b", "3");
        c.patchNodeAnnotations("node-a", patch);
        Map<String, String> now = api.annotations("node-a");
        assertFalse(now.containsKey("a"));
        assertEquals("3", now.get("b"));
        assertEquals("the kubelet's own annotation is untouched", "0", now.get("node.alpha.kubernetes.io/ttl"));
        FakeKubeApiServer.PatchRequest p = api.patches().get(1);
        assertEquals("application/strategic-merge-patch+json", p.contentType());
        assertEquals(JSON.readTree("{\"metadata\":{\"annotations\":{\"a\":null,\"b\":\"3\"}}}"), p.body());

        try {
            c.patchNodeAnnotations("node-z", Map.of("a", "1"));
            fail();
        } catch (KubeApiException e) {
            assertEquals(404, e.code());
            assertEquals("patch Node node-z: HTTP 404 NotFound: nodes \"node-z\" not found", e.getMessage());
        }
        try {
            c.patchNodeAnnotations("../../namespaces", Map.of("a", "1"));
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("not a valid Node name"));
        }
    }

    @Test
    public void watchesFromAResourceVersionAndSeesEveryKindOfChange() throws Exception {
        KubeApiClient c = client(new ClusterAccess.Token("good"));
        String version = c.listNodes(Optional::of).resourceVersion();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            try {
                c.watchNodes(version, 2, (type, object) -> seen.add(type + " " + object.path("metadata").path("name")
                        .asText()));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        api.createNode("node-f", false, "f", "192.0.2.6", "Linux");
        api.patch("node-b", JSON.readTree("{\"metadata\":{\"annotations\":{\"x\":\"y\"}}}"));
        api.delete("node-c");
        done.get(20, TimeUnit.SECONDS); // the server ends the watch after its 2 s timeout
        assertEquals(List.of("ADDED node-f", "MODIFIED node-b", "DELETED node-c"), seen);
    }

    @Test
    public void anExpiredResourceVersionIsGoneWhicheverWayTheServerSaysIt() throws Exception {
        KubeApiClient c = client(new ClusterAccess.Token("good"));
        String old = c.listNodes(Optional::of).resourceVersion();
        api.delete("node-e");
        api.compact();
        for (boolean asHttpStatus : List.of(false, true)) {
            api.goneAsHttpStatus(asHttpStatus);
            try {
                c.watchNodes(old, 5, (t, o) -> fail("no event expected"));
                fail();
            } catch (KubeApiException e) {
                assertEquals(KubeApiException.GONE, e.code());
                assertTrue(e.getMessage(), e.getMessage().contains("too old resource version"));
            }
        }
    }

    @Test
    public void reportsUnauthorizedAndForbiddenWithTheServersWords() throws Exception {
        try {
            client(new ClusterAccess.Token("unknown")).listNodes(Optional::of);
            fail();
        } catch (KubeApiException e) {
            assertEquals(401, e.code());
            assertEquals("list nodes: HTTP 401 Unauthorized: Unauthorized", e.getMessage());
        }
        try {
            client(new ClusterAccess.Token("nope")).watchNodes("1", 5, (t, o) -> fail());
            fail();
        } catch (KubeApiException e) {
            assertEquals(403, e.code());
            assertTrue(e.getMessage(), e.getMessage().startsWith("watch nodes: HTTP 403 Forbidden: nodes is forbidden:"));
        }
    }

    @Test
    public void refusesAServerItsCaDidNotSign() throws Exception {
        TestPki other = new TestPki();
        KubeApiClient c = new KubeApiClient(new ClusterAccess(api.url(), List.of(other.ca.certificate()),
                new ClusterAccess.Token("good"), "test"), JSON);
        clients.add(c);
        try {
            c.listNodes(Optional::of);
            fail("trusted a server certificate from another CA");
        } catch (SSLException expected) {
            // the handshake failed: no request, no token sent
        }
        assertTrue(api.patches().isEmpty());
    }

    @Test
    public void closeEndsAnOpenWatch() throws Exception {
        KubeApiClient c = client(new ClusterAccess.Token("good"));
        String version = c.listNodes(Optional::of).resourceVersion();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                c.watchNodes(version, 600, (type, o) -> {
                });
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (api.openWatchCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, api.openWatchCount());
        c.close();
        Throwable e = ended.get(20, TimeUnit.SECONDS);
        assertTrue("the reader saw the stream end: " + e, e instanceof IOException);
        t.join(5000);
        assertFalse(t.isAlive());
    }

    @SuppressWarnings("unused")
    private static String name(JsonNode n) {
        return n.path("metadata").path("name").asText();
    }
}
