package dev.kubespan.api;

import java.time.Instant;
import java.util.Objects;

/**
 * Metadata of a stored resource. {@code version} starts at 1 and grows by one with every write
 * that changes the spec; {@code owner} names the component that writes it.
 */
public record Metadata(String namespace, String type, String id, long version, Instant created, Instant updated,
        String owner) {
    public Metadata {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
        owner = owner == null ? "" : owner;
    }
}
