package dev.kubespan.api.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import dev.kubespan.api.Log;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;

/**
 * What one pass of a controller may do: read its declared inputs and outputs, write its
 * outputs (as itself), ask to be run again at some time, and log (a warning repeated in
 * consecutive passes is reported once).
 */
@ProviderType
public interface ControllerContext {

    /** The runtime's wall clock, read once per call. */
    Instant now();

    /**
     * The runtime's monotonic clock ({@link Scheduler#nanoTime()}), read once per call: what an age
     * that must survive a step of the wall clock is measured with.
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    Log log();

    <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id);

    default <S> Optional<S> spec(ResourceType<S> type, String namespace, String id) {
        return get(type, namespace, id).map(Resource::spec);
    }

    /** All resources of a type in a namespace (null: all namespaces), ordered by id. */
    <S> List<Resource<S>> list(ResourceType<S> type, String namespace);

    /** Creates or updates one of this controller's resources; an unchanged spec is not written. */
    <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec);

    /** Deletes one of this controller's resources; returns whether it existed. */
    boolean delete(ResourceType<?> type, String namespace, String id);

    /** This controller's resources of an output type (in a shared type, only those it wrote). */
    <S> List<Resource<S>> owned(ResourceType<S> type, String namespace);

    /** Deletes this controller's resources of a type whose id is not in {@code keep}; returns how many. */
    int deleteOwnedExcept(ResourceType<?> type, String namespace, Collection<String> keep);

    /** Run again at {@code when} at the latest; the earliest request of a pass wins. */
    void wakeAt(Instant when);

    default void wakeIn(Duration delay) {
        wakeAt(now().plus(delay));
    }
}
