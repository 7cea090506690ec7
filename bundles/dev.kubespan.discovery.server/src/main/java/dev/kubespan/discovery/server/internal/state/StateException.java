package dev.kubespan.discovery.server.internal.state;

/** A request the state refuses; {@link Kind} says which gRPC status it maps to. */
public final class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failure classes of docs/discovery-protocol.md §4.1. */
    public enum Kind {
        INVALID_ARGUMENT, RESOURCE_EXHAUSTED
    }

    private final Kind kind;

    public StateException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static StateException invalid(String message) {
        return new StateException(Kind.INVALID_ARGUMENT, message);
    }

    static StateException exhausted(String message) {
        return new StateException(Kind.RESOURCE_EXHAUSTED, message);
    }
}
