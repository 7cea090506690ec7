package dev.kubespan.itests.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's package) in the test JVM's own namespace, which {@code mesh.sh
 * observer-up} put on the lab bridge: it scrapes the agents' {@code /metrics} over the lab
 * network (with their Basic credentials: that address is not loopback) and the discovery
 * server's, every {@value #SCRAPE_SECONDS} s, and answers PromQL on 127.0.0.1.
 */
final class LabPrometheus implements AutoCloseable {
    static final int SCRAPE_SECONDS = 2;
    private static final String LISTEN = "127.0.0.1:9091";
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** One series of a query result: its labels and value. */
    record Sample(Map<String, String> labels, double value) {
    }

    /**
     * @param agents node name → {@code host:port} of its metrics
     * @param discovery {@code host:port} of the discovery server's metrics
     */
    LabPrometheus(Path dir, Map<String, String> agents, String discovery, String user, String password)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path passwordFile = dir.resolve("agent-password");
        Files.writeString(passwordFile, password);
        StringBuilder cfg = new StringBuilder();
        cfg.append("global:\n  scrape_interval: ").append(SCRAPE_SECONDS).append("s\n  scrape_timeout: ")
                .append(SCRAPE_SECONDS).append("s\n");
        cfg.append("scrape_configs:\n");
        cfg.append("  - job_name: kubespan-agent\n");
        cfg.append("    basic_auth:\n      username: ").append(user).append("\n      password_file: ")
                .append(passwordFile).append('\n');
        cfg.append("    static_configs:\n");
        agents.forEach((node, target) -> cfg.append("      - targets: ['").append(target).append("']\n")
                .append("        labels: {node: ").append(node).append("}\n"));
        cfg.append("  - job_name: kubespan-discovery\n    static_configs:\n      - targets: ['").append(discovery)
                .append("']\n");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, cfg);
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=" + LISTEN, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError("prometheus did not get ready; its log:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + LISTEN + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An instant query over Prometheus' HTTP API. */
    List<Sample> query(String promql) {
        try {
            HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            JsonNode body = json.readTree(r.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new AssertionError("query " + promql + " failed: " + r.body());
            }
            List<Sample> out = new ArrayList<>();
            for (JsonNode s : body.path("data").path("result")) {
                Map<String, String> labels = new TreeMap<>();
                s.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                out.add(new Sample(labels, Double.parseDouble(s.path("value").get(1).asText())));
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("query " + promql + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The results keyed by the values of {@code labels} joined with "/", e.g. {@code node1/node2}. */
    Map<String, Double> byLabels(String promql, String... labels) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Sample s : query(promql)) {
            List<String> key = new ArrayList<>();
            for (String l : labels) {
                key.add(s.labels().getOrDefault(l, ""));
            }
            out.put(String.join("/", key), s.value());
        }
        return new TreeMap<>(out);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
