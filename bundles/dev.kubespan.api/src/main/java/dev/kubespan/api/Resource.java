package dev.kubespan.api;

import java.util.Objects;

/** A resource: metadata plus an immutable spec record. */
public record Resource<S>(Metadata metadata, S spec) {
    public Resource {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(spec, "spec");
    }

    public String id() {
        return metadata.id();
    }

    public String namespace() {
        return metadata.namespace();
    }

    public long version() {
        return metadata.version();
    }
}
