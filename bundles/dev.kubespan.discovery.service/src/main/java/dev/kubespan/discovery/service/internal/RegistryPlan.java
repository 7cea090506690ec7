package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;

/**
 * What should run, derived from the configuration resources: either a set of clients (one per
 * discovery service, in configured order) or nothing, with the reason. Pure; recomputed on
 * every change.
 *
 * @param clients the clients to run, by name, in configured order
 * @param disabled endpoints that are configured but will not run, by name, with the reason
 * @param reason why nothing runs (empty when clients run)
 * @param waiting nothing runs only because an input is not there yet: leave outputs alone
 */
public record RegistryPlan(Map<String, DiscoveryClient.Settings> clients, Map<String, Disabled> disabled,
        String reason, boolean waiting) {

    /** A configured endpoint that does not run, shown as {@code disabled} in its status. */
    public record Disabled(String endpoint, String reason) {
    }

    public static RegistryPlan compute(Optional<DiscoveryConfig> discovery, Optional<KubeSpanConfig> kubespan,
            Optional<String> nodeId, SecureRandom random, Duration ttl, String clientVersion) {
        if (discovery.isEmpty()) {
            return off(Map.of(), "no discovery configuration", false);
        }
        DiscoveryConfig dc = discovery.get();
        Map<String, DiscoveryServiceEndpoint> byName = named(dc.serviceEndpoints());
        if (!dc.discoveryEnabled()) {
            return off(disabledAll(byName, "discovery is disabled"), "discovery is disabled", false);
        }
        if (kubespan.isPresent() && !kubespan.get().enabled()) {
            return off(disabledAll(byName, "KubeSpan is disabled"), "KubeSpan is disabled", false);
        }
        if (byName.isEmpty()) {
            return off(Map.of(), "no discovery service endpoints configured", false);
        }
        if (dc.serviceClusterID().isEmpty()) {
            return off(disabledAll(byName, "serviceClusterID is empty"), "serviceClusterID is empty", false);
        }
        SealedPayloads payloads;
        try {
            payloads = new SealedPayloads(ClusterCipher.fromBase64(dc.serviceEncryptionKey(), random));
        } catch (IllegalArgumentException e) {
            return off(disabledAll(byName, e.getMessage()), e.getMessage(), false);
        }
        if (nodeId.isEmpty()) {
            return off(disabledAll(byName, "waiting for the node identity"), "waiting for the node identity", true);
        }
        Map<String, DiscoveryClient.Settings> clients = new LinkedHashMap<>();
        Map<String, Disabled> disabled = new LinkedHashMap<>();
        for (Map.Entry<String, DiscoveryServiceEndpoint> e : byName.entrySet()) {
            try {
                ServiceTarget t = ServiceTarget.of(e.getValue());
                clients.put(e.getKey(), new DiscoveryClient.Settings(e.getKey(), t, dc.serviceClusterID(),
                        nodeId.get(), payloads, ttl, clientVersion));
            } catch (IllegalArgumentException bad) {
                disabled.put(e.getKey(), new Disabled(e.getValue().endpoint(), bad.getMessage()));
            }
        }
        return new RegistryPlan(clients, disabled, clients.isEmpty() ? "no usable discovery service endpoint" : "",
                false);
    }

    public boolean running() {
        return !clients.isEmpty();
    }

    /**
     * Whether a running client publishes somewhere this plan no longer does (another service,
     * cluster or node ID). Only then does stopping it mean leaving.
     */
    public boolean abandons(DiscoveryClient.Settings old) {
        for (DiscoveryClient.Settings s : clients.values()) {
            if (s.target().equals(old.target()) && s.clusterId().equals(old.clusterId())
                    && s.nodeId().equals(old.nodeId())) {
                return false;
            }
        }
        return true;
    }

    private static RegistryPlan off(Map<String, Disabled> disabled, String reason, boolean waiting) {
        return new RegistryPlan(Map.of(), disabled, reason, waiting);
    }

    private static Map<String, Disabled> disabledAll(Map<String, DiscoveryServiceEndpoint> byName, String reason) {
        Map<String, Disabled> out = new LinkedHashMap<>();
        byName.forEach((name, e) -> out.put(name, new Disabled(e.endpoint(), reason)));
        return out;
    }

    /**
     * Names endpoints: the configured name, else the endpoint text; duplicates get a numeric
     * suffix so every client has its own status resource.
     */
    static Map<String, DiscoveryServiceEndpoint> named(List<DiscoveryServiceEndpoint> endpoints) {
        Map<String, DiscoveryServiceEndpoint> out = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (DiscoveryServiceEndpoint e : new ArrayList<>(endpoints)) {
            String base = sanitize(e.name().isEmpty() ? e.endpoint() : e.name());
            String name = base;
            for (int i = 2; !used.add(name); i++) {
                name = base + "-" + i;
            }
            out.put(name, e);
        }
        return out;
    }

    private static String sanitize(String s) {
        String t = s.replaceAll("^[a-zA-Z]+://", "").replaceAll("/+$", "").replaceAll("[^A-Za-z0-9._:\\[\\]-]", "_");
        return t.isEmpty() ? "default" : t;
    }
}
