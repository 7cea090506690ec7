package dev.kubespan.api.controller;

import java.util.Objects;

import dev.kubespan.api.ResourceType;

/**
 * A type a controller writes: {@link #exclusive} when it is the only writer, {@link #shared}
 * when several controllers write the type and each writes only the resources it created.
 */
public record Output(ResourceType<?> type, boolean exclusive) {
    public Output {
        Objects.requireNonNull(type, "type");
    }

    public static Output exclusive(ResourceType<?> type) {
        return new Output(type, true);
    }

    public static Output shared(ResourceType<?> type) {
        return new Output(type, false);
    }
}
