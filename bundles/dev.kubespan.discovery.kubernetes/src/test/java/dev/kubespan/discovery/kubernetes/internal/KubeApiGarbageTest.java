package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The registry against an API server that goes wrong: random bytes, a Node without end, more
 * Nodes than a cluster has, JSON nested without end, a string of 20 MB, a body cut short, garbage
 * and an endless event in the watch stream, a body one byte at a time, and Nodes whose data no
 * real Node carries. Each time the registry says what is wrong in its {@code RegistryStatus},
 * reads no more than its bounds (the server counts what it managed to send), keeps its one watch
 * thread, and is back to normal as soon as the server is.
 */
public class KubeApiGarbageTest {
    private static final TestPki PKI = new TestPki();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RESYNC = Duration.ofSeconds(1);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeKubeApiServer api;
    private RegistryNode reader;

    @Before
    public void cluster() throws Exception {
        api = new FakeKubeApiServer(PKI.serverContext(PKI.server()));
        api.allowToken("token-r", "system:node:node-r");
        api.createNode("node-c", false, "node-c.example", "192.0.2.30", "Talos (v1.10.0)");
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode an = patch.putObject("metadata").putObject("annotations");
        an.put(NodeAnnotations.NODE_ID, KubernetesRegistryTest.ID_C);
        an.put(NodeAnnotations.KUBESPAN_PUBLIC_KEY, KubernetesRegistryTest.KEY_C);
        an.put(NodeAnnotations.KUBESPAN_ENDPOINTS, "192.0.2.30:51820");
        api.patch("node-c", patch);
    }

    @After
    public void shutdown() {
        if (reader != null) {
            reader.close();
        }
        api.close();
    }

    /** A node that only reads (no local affiliate): every request it makes is a list or a watch. */
    private RegistryNode startReader() throws Exception {
        Path kc = Kubeconfigs.write(tmp.getRoot().toPath().resolve("r/kubeconfig"), api.url(),
                PKI.ca.certificatePem(), Kubeconfigs.token("token-r"));
        reader = new RegistryNode("idR", null, RegistryNode.kubeconfig(kc), RESYNC).start();
        awaitHealthy("at first");
        return reader;
    }

    private void awaitHealthy(String when) {
        Await.until("the registry sees node-c and watches " + when,
                () -> reader.state() + " " + reader.raw().keySet(),
                s -> s.equals("connected [k8s/" + KubernetesRegistryTest.ID_C + "]"));
    }

    private record Case(String what, String verb, FakeKubeApiServer.Misbehaviour answer, String error) {
    }

    @Test
    public void everyBrokenAnswerShowsInTheStatusAndTheRegistryRecovers() throws Exception {
        startReader();
        List<Case> cases = List.of(
                new Case("random bytes", "list", FakeKubeApiServer.garbage(16, 100_000),
                        "the answer is not valid JSON: "),
                new Case("a Node without end", "list", FakeKubeApiServer.endlessNode(256L << 20),
                        "list nodes: a Node (or the list's metadata) is larger than 4 MiB"),
                new Case("a 20 MB string", "list", FakeKubeApiServer.longString(20 << 20),
                        "the answer is not valid JSON: String value length"),
                new Case("more Nodes than a cluster has", "list", FakeKubeApiServer.nodes(KubeApiClient.MAX_NODES + 1),
                        "list nodes: more than 5000 Nodes"),
                new Case("JSON nested 100000 deep", "list", FakeKubeApiServer.nested(100_000),
                        "the answer is not valid JSON: Document nesting depth"),
                new Case("a body cut short", "list", FakeKubeApiServer.cutShort(),
                        "the answer is not valid JSON: Unexpected end-of-input"),
                new Case("a number in the watch stream", "watch", FakeKubeApiServer.watchLines(
                        "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}}", "12345"),
                        "watch nodes: expected a JSON object in the stream, got VALUE_NUMBER_INT"),
                new Case("binary garbage in the watch stream", "watch", FakeKubeApiServer.garbage(17, 50_000),
                        "the answer is not valid JSON: "),
                new Case("a watch event without end", "watch", FakeKubeApiServer.endlessEvent(256L << 20),
                        "watch nodes: an event is larger than 4 MiB"));
        List<String> figures = new ArrayList<>();
        for (Case c : cases) {
            long sentBefore = api.misbehavingBytesSent();
            api.misbehave(c.verb(), c.answer());
            if (c.verb().equals("list")) {
                api.expireWatches(); // the re-watch gets 410 Gone and lists again
            } else {
                api.dropWatches();
            }
            String error = Await.until(c.what() + " in the status", reader::lastError, e -> e.contains(c.error()));
            assertTrue(c.what() + ": " + error, error.length() <= 400 && !error.contains("\n"));
            long sent = api.misbehavingBytesSent() - sentBefore;
            figures.add(String.format("%-36s %,12d bytes sent before the registry gave up: %s", c.what(), sent,
                    error));
            assertTrue(c.what() + ": the registry read " + sent + " bytes", sent < 64L << 20);
            assertEquals("one watch thread", 1, watchThreads());

            api.behave();
            awaitHealthy("after " + c.what());
            assertTrue("the error stays visible after recovery", reader.lastError().contains(c.error()));
        }
        figures.forEach(f -> System.out.println("FIGURE k8s registry: " + f));
    }

    /** Nodes no real cluster has: skipped with one short warning each, the others still seen. */
    @Test
    public void nodesWithOversizedDataAreSkippedWithAShortWarning() throws Exception {
        startReader();
        ObjectNode longName = JSON.createObjectNode();
        longName.putObject("metadata").put("name", "x".repeat(10_000));
        api.create(longName);
        api.createNode("node-big", false, "node-big.example", "192.0.2.31", "Linux");
        ObjectNode big = JSON.createObjectNode();
        ObjectNode an = big.putObject("metadata").putObject("annotations");
        an.put(NodeAnnotations.NODE_ID, "9pTnT6R3dmdO0XHtGvBvcvH1mcvKP1kcyXQSfXtDLz3");
        an.put(NodeAnnotations.SELF_IPS, "192.0.2.31," + "1.1.1.1,".repeat(2000));
        api.patch("node-big", big);
        api.createNode("node-bad", false, "node-bad.example", "192.0.2.32", "Linux");
        ObjectNode bad = JSON.createObjectNode();
        ObjectNode bn = bad.putObject("metadata").putObject("annotations");
        bn.put(NodeAnnotations.NODE_ID, "9pTnT6R3dmdO0XHtGvBvcvH1mcvKP1kcyXQSfXtDLz4");
        bn.put(NodeAnnotations.SELF_IPS, "not-an-ip,".repeat(500));
        api.patch("node-bad", bad);

        Await.until("the Node with 500 bad items is reported", () -> reader.warningsContaining("and 490 more problems"),
                n -> n == 1);
        Await.until("both oversized Nodes are reported", () -> reader.warningsContaining("longer than"), n -> n >= 2);
        assertEquals(1, reader.warningsContaining("skipping a Node: a Node name is longer than 253 characters"));
        assertEquals(1, reader.warningsContaining("skipping a Node: Node node-big: its cluster.talos.dev/,"
                + " networking.talos.dev/ annotations are longer than 8192 characters together"));
        assertEquals("ten problems and a count, not 500", 11, reader.warningsContaining("Node node-bad: "));
        for (String line : reader.log.lines()) {
            assertTrue(line.length() + " characters", line.length() < 500);
        }
        assertEquals(Set.of("k8s/" + KubernetesRegistryTest.ID_C, "k8s/9pTnT6R3dmdO0XHtGvBvcvH1mcvKP1kcyXQSfXtDLz4"),
                reader.raw().keySet());
        assertEquals("connected", reader.state());
    }

    /** A body one byte every half second: given up after the client's body timeout, then fine again. */
    @Test
    public void aSlowBodyTimesOut() throws Exception {
        KubeApiClient client = new KubeApiClient(new ClusterAccess(api.url(), List.of(PKI.ca.certificate()),
                new ClusterAccess.Token("token-r"), "test"), JSON, Duration.ofSeconds(2));
        try {
            api.misbehave("list", FakeKubeApiServer.slowly(Duration.ofMillis(500)));
            long t0 = System.nanoTime();
            try {
                client.listNodes(Optional::of);
                fail("a slow list was accepted");
            } catch (HttpTimeoutException e) {
                assertEquals("list nodes: the answer took longer than 2 s", e.getMessage());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("FIGURE k8s registry: a list answered one byte per 0.5 s given up after %.1f s%n",
                    seconds);
            assertTrue(seconds + " s", seconds < 10);
            api.behave();
            KubeApiClient.NodeList<JsonNode> list = client.listNodes(Optional::of);
            assertEquals(1, list.items().size());
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(e);
        } finally {
            client.close();
        }
    }

    private static long watchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("kubespan-k8s-watch"))
                .count();
    }
}
