package dev.kubespan.api;

import java.util.function.Function;

/** One extra table column of a resource type, as {@code talosctl get} prints it. */
public record Column<S>(String header, Function<S, Object> value) {
}
