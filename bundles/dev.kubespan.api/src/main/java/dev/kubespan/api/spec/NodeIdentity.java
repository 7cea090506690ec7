package dev.kubespan.api.spec;

/** The node ID (ns {@code cluster}, id {@code local}): base62 of 32 random bytes. */
public record NodeIdentity(String nodeId) {
    public static final String ID = "local";

    public NodeIdentity {
        nodeId = Lists.text(nodeId);
    }
}
