package dev.kubespan.config;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one attempt to load the configuration.
 *
 * @param time when the attempt finished
 * @param source the file path, or {@code configadmin:dev.kubespan.config}
 * @param ok true when the config validated and is now in force; false when it was rejected and
 *        the previous good config (if any) stays in force
 * @param errors why it was rejected (empty when ok)
 * @param warnings things accepted but worth knowing (ignored documents, overridden settings)
 */
public record LoadResult(Instant time, String source, boolean ok, List<ConfigProblem> errors,
        List<ConfigProblem> warnings) {

    public LoadResult {
        Objects.requireNonNull(time, "time");
        source = Objects.requireNonNullElse(source, "");
        errors = errors == null ? List.of() : List.copyOf(errors);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A multi-line human summary: the first line says ok/rejected, then one line per problem. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(ok ? "ok" : "rejected").append(": ").append(source).append(" at ").append(time);
        if (!ok) {
            sb.append(" (").append(errors.size()).append(errors.size() == 1 ? " error" : " errors")
                    .append("; the last good config stays in force)");
        }
        for (ConfigProblem e : errors) {
            sb.append("\n  error: ").append(e);
        }
        for (ConfigProblem w : warnings) {
            sb.append("\n  warning: ").append(w);
        }
        return sb.toString();
    }
}
