package dev.kubespan.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The shared, thread-safe store of resources. Each resource type has one writing bundle; the
 * others read and watch. Resources outlive the bundle that wrote them, so a bundle that is
 * updated finds its own output again and rewrites it (an unchanged spec is not a new version).
 */
@ProviderType
public interface ResourceStore {

    <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id);

    /** All resources of a type in a namespace, ordered by id; a null namespace means all namespaces. */
    <S> List<Resource<S>> list(ResourceType<S> type, String namespace);

    /**
     * Creates or updates a resource. When the stored spec equals the given one, nothing changes
     * and the stored resource is returned (no version bump, no event).
     */
    <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner);

    /** Deletes a resource; returns whether it existed. */
    boolean delete(ResourceType<?> type, String namespace, String id);

    /**
     * Watches one type (in one namespace, or all when {@code namespace} is null). The listener
     * is called on a store thread, one event at a time and in order for this watch: first the
     * existing resources, then {@link ResourceEvent.Kind#BOOTSTRAPPED}, then changes.
     */
    <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener);
}
