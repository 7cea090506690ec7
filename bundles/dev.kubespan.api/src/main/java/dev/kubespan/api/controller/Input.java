package dev.kubespan.api.controller;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;

/**
 * A type a controller reads, in one namespace (or all, when the namespace is null). By default
 * every change triggers a pass; {@link #where} drops changes of resources that do not matter,
 * and {@link #onChangeOf} drops updates that leave the named part of a resource as it was (a
 * status whose counters moved but whose state did not).
 */
public final class Input<S> {
    private final ResourceType<S> type;
    private final String namespace;
    private final Predicate<Resource<S>> relevant;
    private final Function<Resource<S>, ?> projection;

    private Input(ResourceType<S> type, String namespace, Predicate<Resource<S>> relevant,
            Function<Resource<S>, ?> projection) {
        this.type = Objects.requireNonNull(type, "type");
        this.namespace = namespace;
        this.relevant = relevant;
        this.projection = projection;
    }

    public static <S> Input<S> of(ResourceType<S> type, String namespace) {
        return new Input<>(type, namespace, r -> true, null);
    }

    /** Only changes of resources for which {@code relevant} holds trigger a pass. */
    public Input<S> where(Predicate<Resource<S>> relevantResource) {
        return new Input<>(type, namespace, Objects.requireNonNull(relevantResource), projection);
    }

    /**
     * An update triggers a pass only when {@code part} of the resource changed; creations and
     * deletions always do.
     */
    public Input<S> onChangeOf(Function<Resource<S>, ?> part) {
        return new Input<>(type, namespace, relevant, Objects.requireNonNull(part));
    }

    public ResourceType<S> type() {
        return type;
    }

    /** Null: every namespace. */
    public String namespace() {
        return namespace;
    }

    boolean relevant(Resource<S> r) {
        return relevant.test(r);
    }

    /** Null when every update counts. */
    Function<Resource<S>, ?> projection() {
        return projection;
    }

    @Override
    public String toString() {
        return type.name() + (namespace == null ? "" : " in " + namespace);
    }
}
