package dev.kubespan.discovery.kubernetes.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The facts of one Kubernetes Node this registry uses, taken from its JSON: name, resource
 * version, annotations (ours only: {@code cluster.talos.dev/*}, {@code networking.talos.dev/*}),
 * whether it has the control-plane role label, the Hostname status address and the OS image.
 * Everything else of the (large) Node object is dropped. The API server is trusted no more than
 * its data: what no real Node carries (a name beyond Kubernetes' 253 characters, an annotation of
 * ours beyond 8 KiB together, a node ID beyond 128 characters) makes the Node unreadable, so that nothing
 * oversized reaches the store, the logs or the peers.
 */
record NodeView(String name, String resourceVersion, Map<String, String> annotations, boolean controlPlane,
        String hostname, String osImage) {
    static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
    static final int MAX_NAME_CHARS = 253;
    /** Our eight annotations together, per Node; real ones take well under a kilobyte. */
    static final int MAX_ANNOTATION_CHARS = 8 * 1024;
    static final int MAX_NODE_ID_CHARS = 128;
    private static final int MAX_OS_IMAGE_CHARS = 256;
    private static final List<String> OUR_PREFIXES = List.of("cluster.talos.dev/", "networking.talos.dev/");

    NodeView {
        annotations = Map.copyOf(annotations);
    }

    /** Reads a Node object; rejects one without a usable name. Non-string annotation values are dropped. */
    static NodeView of(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a Node is not a JSON object");
        }
        JsonNode metadata = node.path("metadata");
        String name = metadata.path("name").asText("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a Node has no metadata.name");
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("a Node name is longer than " + MAX_NAME_CHARS + " characters");
        }
        Map<String, String> annotations = new TreeMap<>();
        int total = 0;
        for (Map.Entry<String, JsonNode> e : metadata.path("annotations").properties()) {
            String key = e.getKey();
            if (!e.getValue().isTextual() || OUR_PREFIXES.stream().noneMatch(key::startsWith)
                    || key.length() > MAX_NAME_CHARS + 64) {
                continue;
            }
            String value = e.getValue().asText();
            total += value.length();
            if (total > MAX_ANNOTATION_CHARS) {
                throw new IllegalArgumentException("Node " + name + ": its " + String.join(", ", OUR_PREFIXES)
                        + " annotations are longer than " + MAX_ANNOTATION_CHARS + " characters together");
            }
            annotations.put(key, value);
        }
        if (annotations.getOrDefault(NodeAnnotations.NODE_ID, "").length() > MAX_NODE_ID_CHARS) {
            throw new IllegalArgumentException("Node " + name + ": annotation " + NodeAnnotations.NODE_ID
                    + " is longer than " + MAX_NODE_ID_CHARS + " characters");
        }
        boolean controlPlane = metadata.path("labels").isObject() && metadata.path("labels").has(CONTROL_PLANE_LABEL);
        String hostname = "";
        for (JsonNode a : node.path("status").path("addresses")) {
            if ("Hostname".equals(a.path("type").asText())) {
                hostname = a.path("address").asText("");
                break;
            }
        }
        if (hostname.length() > MAX_NAME_CHARS) {
            hostname = ""; // not a host name
        }
        String os = node.path("status").path("nodeInfo").path("osImage").asText("");
        if (os.length() > MAX_OS_IMAGE_CHARS) {
            os = os.substring(0, MAX_OS_IMAGE_CHARS);
        }
        String version = metadata.path("resourceVersion").asText("");
        return new NodeView(name, version.length() > MAX_NAME_CHARS ? "" : version, annotations, controlPlane,
                hostname, os);
    }
}
