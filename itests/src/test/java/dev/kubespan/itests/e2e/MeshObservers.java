package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What an operator watching the lab sees: a real Prometheus scraping every agent and the
 * discovery server, and node1's mesh page in a real headless Chromium. The agents serve HTTP on
 * every address (org.apache.felix.http.host=0.0.0.0), so the lab network reaches them, and
 * therefore demand Basic credentials (their access rule for anything but loopback).
 */
final class MeshObservers implements AutoCloseable {
    static final String USER = "prometheus";
    static final int PORT = 2123;
    private final MeshLab lab;
    private final List<String> nodes;
    private final String password = "lab-" + UUID.randomUUID();
    private LabPrometheus prometheus;
    private MeshPageBrowser browser;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MeshObservers(MeshLab lab, List<String> nodes) {
        this.lab = lab;
        this.nodes = nodes;
    }

    static String address(int index) {
        return "10.99.0." + index;
    }

    /** Before the nodes' first start: their HTTP on every address, with credentials; this JVM on the bridge. */
    void configure() throws IOException, InterruptedException {
        String hash = lab.launcher(password + "\n", "hash-password");
        assertTrue("bin/kubespan hash-password prints a PBKDF2 hash: " + hash, hash.startsWith("pbkdf2-sha256:"));
        assertFalse(hash.contains(password));
        for (String n : nodes) {
            lab.etcFile(n, "org.apache.felix.http.cfg", "org.apache.felix.http.host=0.0.0.0\n");
            lab.etcFile(n, "dev.kubespan.http.cfg", "auth.user=" + USER + "\nauth.password=" + hash + "\n");
        }
        lab.observerUp();
    }

    /** Once the mesh is up: Prometheus scraping, and node1's page open in the browser. */
    void start() throws IOException, InterruptedException {
        Map<String, String> targets = new TreeMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            targets.put(nodes.get(i), address(i + 1) + ":" + PORT);
        }
        prometheus = new LabPrometheus(lab.work().resolve("prometheus"), targets, "10.99.0.254:2122", USER, password);
        browser = new MeshPageBrowser(lab.work().resolve("chromium-profile"));
        browser.open("http://" + USER + ":" + password + "@" + address(1) + ":" + PORT + "/");
    }

    /** GET over the lab network with the credentials. */
    HttpResponse<String> get(String node, String path, boolean withCredentials) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address(nodes.indexOf(node) + 1) + ":"
                + PORT + path)).timeout(Duration.ofSeconds(10));
        if (withCredentials) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every agent answers only with credentials from the lab network. */
    void assertCredentialsRequired() throws IOException, InterruptedException {
        for (String n : nodes) {
            assertEquals(n + " /metrics without credentials", 401, get(n, "/metrics", false).statusCode());
            HttpResponse<String> ok = get(n, "/metrics", true);
            assertEquals(n + " /metrics with credentials", 200, ok.statusCode());
            assertTrue(ok.body(), ok.body().contains("kubespan_peer_up"));
        }
    }

    /** Prometheus sees every agent and the discovery server up, every peer up, and rx growing. */
    void assertMeshUpInPrometheus() throws InterruptedException {
        Set<String> pairs = new TreeSet<>();
        for (String n : nodes) {
            for (String p : nodes) {
                if (!n.equals(p)) {
                    pairs.add(n + "/" + p);
                }
            }
        }
        Mesh.await("Prometheus scrapes all agents and the discovery server", Duration.ofSeconds(30), () -> {
            Map<String, Double> up = prometheus.byLabels("up", "job", "node");
            return Mesh.Seen.of(up.size() == nodes.size() + 1 && up.values().stream().allMatch(v -> v == 1), up);
        });
        Mesh.await("every peer up in Prometheus", Duration.ofSeconds(30), () -> {
            Map<String, Double> up = prometheus.byLabels("kubespan_peer_up", "node", "peer");
            return Mesh.Seen.of(up.keySet().equals(pairs) && up.values().stream().allMatch(v -> v == 1), up);
        });
        Map<String, Double> before = prometheus.byLabels("kubespan_peer_receive_bytes_total", "node", "peer");
        assertEquals(pairs, before.keySet());
        Mesh.assertPings(lab, nodes, nodes);
        Mesh.await("rx of every peer growing in Prometheus (before: " + before + ")", Duration.ofSeconds(40), () -> {
            Map<String, Double> now = prometheus.byLabels("kubespan_peer_receive_bytes_total", "node", "peer");
            return Mesh.Seen.of(pairs.stream().allMatch(k -> now.getOrDefault(k, 0.0) > before.get(k)), now);
        });
        Map<String, Double> discovery = prometheus.byLabels("discovery_state_affiliates", "job");
        assertEquals("the discovery server's metrics are scraped too: " + discovery, Double.valueOf(nodes.size()),
                discovery.get("kubespan-discovery"));
    }

    /** node1's page: its peers, one graph node per member, charts, nothing from elsewhere, no secret. */
    void assertPageShowsMesh() throws IOException, InterruptedException {
        Mesh.await("node1's page lists its peers up", Duration.ofSeconds(20),
                () -> Mesh.Seen.of(browser.peerStates().equals(Map.of("node2", "up", "node3", "up")),
                        browser.peerStates()));
        Set<String> members = new TreeSet<>();
        for (Map<String, Object> m : lab.resources("node1", "members")) {
            members.add(String.valueOf(MeshLab.metadata(m).get("id")));
        }
        assertEquals("one graph node per member", members, browser.graphNodes().keySet());
        assertEquals("self", browser.graphNodes().get("node1"));
        Mesh.await("uPlot drew the three charts", Duration.ofSeconds(20), () -> Mesh.Seen.of(browser.charts() == 3,
                browser.charts()));
        assertNoSecrets("node1");
        assertNothingLeftTheMachine();
    }

    void screenshot(String name) throws IOException {
        browser.screenshot(lab.work().getParent().getParent().resolve(name));
    }

    /** The page, its JSON and the metrics of {@code node} contain neither its private key nor the cluster secret. */
    void assertNoSecrets(String node) throws IOException, InterruptedException {
        List<String> secrets = lab.secrets(node);
        List<String> bodies = new ArrayList<>();
        bodies.add(browser.pageSource());
        for (String path : List.of("/", "/metrics", "/api/mesh", "/api/history", "/api/resources")) {
            bodies.add(get(node, path, true).body());
        }
        for (String type : List.of("ksi", "ksc", "dc", "ksps", "kspst", "members", "affiliates", "links",
                "registrystatus", "identities", "kse", "discoveredaddresses")) {
            HttpResponse<String> r = get(node, "/api/resources/" + type, true);
            assertEquals(type, 200, r.statusCode());
            bodies.add(r.body());
        }
        assertTrue("the identity's private key is shown redacted",
                get(node, "/api/resources/ksi", true).body().contains("\"privateKey\":\"<redacted>\""));
        assertTrue("the cluster secret is shown redacted",
                get(node, "/api/resources/ksc", true).body().contains("\"sharedSecret\":\"<redacted>\""));
        for (String body : bodies) {
            for (String s : secrets) {
                assertFalse("a secret in a response of " + node, body.contains(s));
            }
        }
    }

    /** Every request the browser made went to the agent it was pointed at; the console has no error. */
    void assertNothingLeftTheMachine() throws IOException {
        List<URI> requests = browser.requests();
        assertFalse("the browser made requests", requests.isEmpty());
        for (URI u : requests) {
            // chrome:, data:, blob: and about: URLs are the browser's own; everything on the network must
            // go to the agent the page came from
            if (List.of("http", "https", "ws", "wss", "ftp").contains(u.getScheme())) {
                assertTrue("a request left the agent: " + u, address(1).equals(u.getHost()) && u.getPort() == PORT);
            }
        }
        assertTrue("the browser fetched the page's JSON: " + requests,
                requests.stream().anyMatch(u -> "/api/mesh".equals(u.getPath())));
        List<String> console = browser.console();
        assertTrue("browser console: " + console, console.stream().noneMatch(l -> l.startsWith("SEVERE")));
    }

    /** The killed node is down in Prometheus for every watcher, and on node1's page without a reload. */
    void awaitDown(String killed, List<String> watchers, Duration timeout) throws Exception {
        browser.markPage();
        long t0 = System.nanoTime();
        Mesh.await("Prometheus: " + killed + " down on " + watchers, timeout, () -> {
            Map<String, Double> up = prometheus.byLabels("kubespan_peer_up{peer=\"" + killed + "\"}", "node");
            Map<String, Double> down = prometheus.byLabels("kubespan_peer_state{peer=\"" + killed
                    + "\",state=\"down\"}", "node");
            boolean all = watchers.stream().allMatch(w -> up.getOrDefault(w, 1.0) == 0 && down.getOrDefault(w, 0.0) == 1);
            return Mesh.Seen.of(all, "up " + up + " down " + down);
        });
        Figures.record("killed node down in Prometheus after the agents' shells", Figures.seconds(System.nanoTime() - t0));
        Map<String, Double> target = prometheus.byLabels("up{job=\"kubespan-agent\"}", "node");
        assertEquals("the killed agent's target is down: " + target, Double.valueOf(0), target.get(killed));
        Mesh.await("node1's page shows " + killed + " down", Duration.ofSeconds(15), () -> Mesh.Seen.of(
                "down".equals(browser.peerStates().get(killed)) && "down".equals(browser.graphNodes().get(killed)),
                browser.peerStates() + " graph " + browser.graphNodes()));
        Figures.record("killed node down on node1's page after the agents' shells", Figures.seconds(System.nanoTime()
                - t0));
        assertTrue("the page was not reloaded", browser.pageStillMarked());
        assertEquals("up", browser.peerStates().get(watchers.stream().filter(w -> !w.equals("node1")).findFirst()
                .orElseThrow()));
        assertNothingLeftTheMachine();
    }

    @Override
    public void close() {
        if (browser != null) {
            browser.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }
}
