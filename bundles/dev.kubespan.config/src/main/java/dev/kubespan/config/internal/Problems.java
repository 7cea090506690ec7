package dev.kubespan.config.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.LoadResult;

/**
 * Collects every error and warning of one load, so that all of them are reported, not just the
 * first: the first {@link LoadResult#MAX_LISTED} of each kind in full, the rest only counted (a
 * file with 160,000 mistakes must not cost the agent hundreds of megabytes to describe).
 */
final class Problems {
    private final String source;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private int omittedErrors;
    private int omittedWarnings;

    Problems(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void error(String path, int line, String reason) {
        if (errors.size() < LoadResult.MAX_LISTED) {
            errors.add(new ConfigProblem(source, path, line, reason));
        } else {
            omittedErrors++;
        }
    }

    void warn(String path, int line, String reason) {
        if (warnings.size() < LoadResult.MAX_LISTED) {
            warnings.add(new ConfigProblem(source, path, line, reason));
        } else {
            omittedWarnings++;
        }
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** The listed errors: at most {@link LoadResult#MAX_LISTED}. */
    List<ConfigProblem> errors() {
        return List.copyOf(errors);
    }

    /** The listed warnings: at most {@link LoadResult#MAX_LISTED}. */
    List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    /** A result carrying these problems (the errors only when rejected). */
    LoadResult result(Instant time, boolean ok) {
        return ok ? new LoadResult(time, source, true, List.of(), warnings, 0, omittedWarnings)
                : new LoadResult(time, source, false, errors, warnings, omittedErrors, omittedWarnings);
    }
}
