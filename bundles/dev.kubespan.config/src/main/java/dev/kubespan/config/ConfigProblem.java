package dev.kubespan.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: where (the file or {@code configadmin:<pid>}), which field
 * (e.g. {@code machine.network.kubespan.mtu}, {@code KubeSpanConfig.filters.endpoints[2]}), the line
 * in the file when known (0 otherwise) and why. Never carries the cluster secret's value.
 */
public record ConfigProblem(String source, String path, int line, String reason) {

    public ConfigProblem {
        source = Objects.requireNonNullElse(source, "");
        path = Objects.requireNonNullElse(path, "");
        reason = Objects.requireNonNullElse(reason, "");
    }

    /** {@code <source>: <path> (line <n>): <reason>}, the form every log line and shell output uses. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (!path.isEmpty()) {
            sb.append(": ").append(path);
        }
        if (line > 0) {
            sb.append(" (line ").append(line).append(')');
        }
        return sb.append(": ").append(reason).toString();
    }
}
