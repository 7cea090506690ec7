package dev.kubespan.discovery.server.internal.state;

/** A request the state refuses; {@link Kind} says which gRPC status it maps to. */
public final class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failure classes of docs/discovery-protocol.md §4.1. */
    public enum Kind {
        INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE
    }

    private final Kind kind;
    private final String limit;

    public StateException(Kind kind, String message) {
        this(kind, message, null);
    }

    private StateException(Kind kind, String message, String limit) {
        super(message, null, false, false);
        this.kind = kind;
        this.limit = limit;
    }

    public Kind kind() {
        return kind;
    }

    /** For RESOURCE_EXHAUSTED: which limit was hit ({@code clusters}, {@code affiliates}, ...), else null. */
    public String limit() {
        return limit;
    }

    public static StateException invalid(String message) {
        return new StateException(Kind.INVALID_ARGUMENT, message);
    }

    public static StateException exhausted(String message, String limit) {
        return new StateException(Kind.RESOURCE_EXHAUSTED, message, limit);
    }

    /** The backend cannot be reached (etcd down): UNAVAILABLE, the client retries later. */
    public static StateException unavailable(String message) {
        return new StateException(Kind.UNAVAILABLE, message);
    }
}
