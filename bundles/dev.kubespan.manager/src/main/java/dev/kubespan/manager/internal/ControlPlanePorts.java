package dev.kubespan.manager.internal;

import java.util.Set;
import java.util.TreeSet;

import dev.kubespan.api.Log;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;

/**
 * The TCP ports of the configured discovery services. Traffic on them is exempt from forced
 * routing, so neither our discovery client's connection nor the replies of a discovery server on
 * this node are pushed into a tunnel that is not up yet (docs/architecture.md §8, decision 6).
 */
final class ControlPlanePorts {
    private ControlPlanePorts() {
    }

    static Set<Integer> of(DiscoveryConfig config, Log log) {
        Set<Integer> ports = new TreeSet<>();
        if (config == null) {
            return ports;
        }
        for (DiscoveryServiceEndpoint e : config.serviceEndpoints()) {
            int port = port(e.endpoint(), e.insecure());
            if (port > 0) {
                ports.add(port);
            } else {
                log.warn("routing: discovery service endpoint '" + e.endpoint() + "' (" + e.name()
                        + ") has no valid host:port; its traffic is not exempt from forced routing");
            }
        }
        return ports;
    }

    /**
     * The port of {@code host:port} or {@code [v6]:port}; a bare host name means the scheme's
     * default (80 plaintext, 443 TLS); -1 when the text is not an endpoint.
     */
    static int port(String endpoint, boolean insecure) {
        String s = endpoint == null ? "" : endpoint.trim();
        if (s.isEmpty()) {
            return -1;
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return insecure ? 80 : 443;
        }
        if (colon < 0 || (s.indexOf(':') != colon && !s.startsWith("["))
                || (s.startsWith("[") && s.lastIndexOf(']') != colon - 1)) {
            return -1;
        }
        String p = s.substring(colon + 1);
        if (!p.matches("\\d{1,5}")) {
            return -1;
        }
        int port = Integer.parseInt(p);
        return port >= 1 && port <= 65535 ? port : -1;
    }
}
