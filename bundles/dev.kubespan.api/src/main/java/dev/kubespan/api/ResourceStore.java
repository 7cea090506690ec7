package dev.kubespan.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The shared, thread-safe store of resources. Every written type has declared writers
 * ({@link #claim}): one owner when claimed exclusively, or several owners that each write only
 * their own resources when claimed as shared. The store refuses any other write with an
 * {@link OwnershipException} naming both owners. Resources outlive the bundle that wrote them,
 * so a bundle that is updated finds its own output again and rewrites it (an unchanged spec is
 * not a new version).
 */
@ProviderType
public interface ResourceStore {

    /** A declaration that an owner writes a type; closing it withdraws the declaration. */
    interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id);

    /** All resources of a type in a namespace, ordered by id; a null namespace means all namespaces. */
    <S> List<Resource<S>> list(ResourceType<S> type, String namespace);

    /**
     * Declares {@code owner} a writer of {@code type}: the only one when {@code exclusive}, one of
     * several otherwise (each then writes only the resources it created). Refused when another
     * owner already holds the type exclusively, when the type is shared and an exclusive claim is
     * asked for, or when {@code owner} already holds a claim on the type.
     *
     * @throws OwnershipException naming both owners
     */
    Claim claim(String owner, ResourceType<?> type, boolean exclusive);

    /**
     * Creates or updates a resource. When the stored spec equals the given one, nothing changes
     * and the stored resource is returned (no version bump, no event).
     *
     * @throws OwnershipException when the type is claimed and {@code owner} is not among its
     *         writers, or the resource belongs to another writer of a shared type
     */
    <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner);

    /**
     * Deletes a resource; returns whether it existed.
     *
     * @throws OwnershipException as for {@link #put}
     */
    boolean delete(ResourceType<?> type, String namespace, String id, String owner);

    /**
     * Watches one type (in one namespace, or all when {@code namespace} is null). The listener
     * is called on a store thread, one event at a time and in order for this watch: first the
     * existing resources, then {@link ResourceEvent.Kind#BOOTSTRAPPED}, then changes.
     */
    <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener);
}
