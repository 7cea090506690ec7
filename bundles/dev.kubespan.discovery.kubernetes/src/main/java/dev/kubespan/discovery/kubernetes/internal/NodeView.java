package dev.kubespan.discovery.kubernetes.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The facts of one Kubernetes Node this registry uses, taken from its JSON: name, resource
 * version, annotations, whether it has the control-plane role label, the Hostname status address
 * and the OS image. Everything else of the (large) Node object is dropped.
 */
record NodeView(String name, String resourceVersion, Map<String, String> annotations, boolean controlPlane,
        String hostname, String osImage) {
    static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

    NodeView {
        annotations = Map.copyOf(annotations);
    }

    /** Reads a Node object; rejects one without a name. Non-string annotation values are dropped. */
    static NodeView of(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a Node is not a JSON object");
        }
        JsonNode metadata = node.path("metadata");
        String name = metadata.path("name").asText("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a Node has no metadata.name");
        }
        Map<String, String> annotations = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.path("annotations").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                annotations.put(e.getKey(), e.getValue().asText());
            }
        }
        boolean controlPlane = metadata.path("labels").isObject() && metadata.path("labels").has(CONTROL_PLANE_LABEL);
        String hostname = "";
        for (JsonNode a : node.path("status").path("addresses")) {
            if ("Hostname".equals(a.path("type").asText())) {
                hostname = a.path("address").asText("");
                break;
            }
        }
        String os = node.path("status").path("nodeInfo").path("osImage").asText("");
        return new NodeView(name, metadata.path("resourceVersion").asText(""), annotations, controlPlane, hostname,
                os);
    }
}
