package dev.kubespan.api;

/**
 * One change seen by a watch. A watch first receives one {@link Kind#CREATED} per existing
 * resource, then one {@link Kind#BOOTSTRAPPED} (with a null resource), then live events.
 */
public record ResourceEvent<S>(Kind kind, ResourceType<S> type, Resource<S> resource) {
    public enum Kind {
        CREATED, UPDATED, DESTROYED, BOOTSTRAPPED
    }
}
