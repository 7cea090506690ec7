package dev.kubespan.config;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one attempt to load the configuration.
 *
 * <p>At most {@link #MAX_LISTED} errors and as many warnings are kept: a file can hold hundreds of
 * thousands of mistakes, and a status that lists them all costs the agent its memory and the
 * operator the first one. The ones beyond are counted ({@code omittedErrors},
 * {@code omittedWarnings}) and summarised as "and K more".
 *
 * @param time when the attempt finished
 * @param source the file path, or {@code configadmin:dev.kubespan.config}
 * @param ok true when the config validated and is now in force; false when it was rejected and
 *        the previous good config (if any) stays in force
 * @param errors why it was rejected (empty when ok): the first ones found, in file order
 * @param warnings things accepted but worth knowing (ignored documents, overridden settings)
 * @param omittedErrors errors found beyond those listed
 * @param omittedWarnings warnings found beyond those listed
 */
public record LoadResult(Instant time, String source, boolean ok, List<ConfigProblem> errors,
        List<ConfigProblem> warnings, int omittedErrors, int omittedWarnings) {
    /** How many errors, and how many warnings, a result lists at most. */
    public static final int MAX_LISTED = 100;

    public LoadResult {
        Objects.requireNonNull(time, "time");
        source = Objects.requireNonNullElse(source, "");
        errors = errors == null ? List.of() : errors;
        warnings = warnings == null ? List.of() : warnings;
        if (omittedErrors < 0 || omittedWarnings < 0) {
            throw new IllegalArgumentException("negative omitted count");
        }
        omittedErrors = Math.addExact(omittedErrors, Math.max(0, errors.size() - MAX_LISTED));
        omittedWarnings = Math.addExact(omittedWarnings, Math.max(0, warnings.size() - MAX_LISTED));
        errors = List.copyOf(errors.subList(0, Math.min(errors.size(), MAX_LISTED)));
        warnings = List.copyOf(warnings.subList(0, Math.min(warnings.size(), MAX_LISTED)));
    }

    /** Every problem listed (the first {@link #MAX_LISTED} of each kind are kept, the rest counted). */
    public LoadResult(Instant time, String source, boolean ok, List<ConfigProblem> errors,
            List<ConfigProblem> warnings) {
        this(time, source, ok, errors, warnings, 0, 0);
    }

    /** How many errors were found, listed or not. */
    public int errorCount() {
        return errors.size() + omittedErrors;
    }

    /** How many warnings were found, listed or not. */
    public int warningCount() {
        return warnings.size() + omittedWarnings;
    }

    /**
     * A multi-line human summary: the first line says ok/rejected, then one line per listed
     * problem, and "and K more" where some were not listed.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(ok ? "ok" : "rejected").append(": ").append(source).append(" at ").append(time);
        if (!ok) {
            sb.append(" (").append(count(errorCount(), "error"))
                    .append("; the last good config stays in force)");
        }
        for (ConfigProblem e : errors) {
            sb.append("\n  error: ").append(e);
        }
        if (omittedErrors > 0) {
            sb.append("\n  ... and ").append(count(omittedErrors, "more error"))
                    .append(" (only the first ").append(errors.size()).append(" are listed)");
        }
        for (ConfigProblem w : warnings) {
            sb.append("\n  warning: ").append(w);
        }
        if (omittedWarnings > 0) {
            sb.append("\n  ... and ").append(count(omittedWarnings, "more warning"))
                    .append(" (only the first ").append(warnings.size()).append(" are listed)");
        }
        return sb.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
