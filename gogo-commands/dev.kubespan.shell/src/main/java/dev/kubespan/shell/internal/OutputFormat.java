package dev.kubespan.shell.internal;

import java.util.Locale;

/** The {@code -o} values. */
enum OutputFormat {
    TABLE, YAML, JSON;

    static OutputFormat parse(String text) {
        String t = text == null || text.isBlank() ? "table" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "table" -> TABLE;
            case "yaml" -> YAML;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("unknown output format '" + text + "'; use table, yaml or json");
        };
    }
}
