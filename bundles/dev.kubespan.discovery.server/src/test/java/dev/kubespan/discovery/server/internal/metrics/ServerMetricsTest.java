package dev.kubespan.discovery.server.internal.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import dev.kubespan.discovery.server.internal.state.State;

public class ServerMetricsTest {
    @Test
    public void clientVersionLabels() {
        assertEquals("v1.12", ServerMetrics.versionLabel("v1.12.3"));
        assertEquals("v1.13-pre", ServerMetrics.versionLabel("v1.13.0-beta.1"));
        assertEquals("v0.1", ServerMetrics.versionLabel("v0.1.0"));
        assertEquals("unknown", ServerMetrics.versionLabel(""));
        assertEquals("unknown", ServerMetrics.versionLabel("talos"));
    }

    @Test
    public void exposition() {
        ServerMetrics m = new ServerMetrics(() -> new State.Stats(2, 3, 4, 5));
        m.hello("v1.12.3");
        m.hello("v1.12.4");
        m.grpcHandled("unary", "sidero.discovery.server.Cluster", "Hello", "OK", 0.2);
        String text = m.render();
        assertTrue(text, text.contains("discovery_server_hello_requests_total{client_version=\"v1.12\"} 2\n"));
        assertTrue(text, text.contains("# TYPE discovery_state_affiliates gauge\ndiscovery_state_affiliates 3\n"));
        String labels = "grpc_type=\"unary\",grpc_service=\"sidero.discovery.server.Cluster\",grpc_method=\"Hello\"";
        assertTrue(text, text.contains("grpc_server_handling_seconds_bucket{" + labels + ",le=\"0.1\"} 0\n"));
        assertTrue(text, text.contains("grpc_server_handling_seconds_bucket{" + labels + ",le=\"0.25\"} 1\n"));
        assertTrue(text, text.contains("grpc_server_handling_seconds_bucket{" + labels + ",le=\"+Inf\"} 1\n"));
        assertTrue(text, text.contains("grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"} 1\n"));
        PrometheusTextCheck.assertParses(text);
    }
}
