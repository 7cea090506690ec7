package dev.kubespan.config.internal;

import java.util.ArrayList;
import java.util.List;

import dev.kubespan.config.ConfigProblem;

/** Collects every error and warning of one load, so that all of them are reported, not just the first. */
final class Problems {
    private final String source;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void error(String path, int line, String reason) {
        errors.add(new ConfigProblem(source, path, line, reason));
    }

    void warn(String path, int line, String reason) {
        warnings.add(new ConfigProblem(source, path, line, reason));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<ConfigProblem> errors() {
        return List.copyOf(errors);
    }

    List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }
}
