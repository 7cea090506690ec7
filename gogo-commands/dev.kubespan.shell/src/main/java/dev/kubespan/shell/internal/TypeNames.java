package dev.kubespan.shell.internal;

import java.util.stream.Collectors;

import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;

/** Resolves the type word of {@code kubespan:get} against the catalogue. */
final class TypeNames {
    private TypeNames() {
    }

    /**
     * By display name, qualified name or alias, case-insensitive.
     *
     * @throws IllegalArgumentException listing the known types when nothing matches
     */
    static ResourceType<?> resolve(String word) {
        if (word == null || word.isBlank()) {
            throw new IllegalArgumentException("no resource type given; known types:\n" + known());
        }
        return ResourceTypes.find(word.trim()).orElseThrow(
                () -> new IllegalArgumentException("unknown resource type '" + word + "'; known types:\n" + known()));
    }

    /** One line per type: display name, aliases and qualified name. */
    static String known() {
        return ResourceTypes.all().stream()
                .map(t -> "  " + t.name() + " (" + String.join(", ", t.aliases()) + "; " + t.qualifiedName() + ")")
                .collect(Collectors.joining("\n"));
    }
}
