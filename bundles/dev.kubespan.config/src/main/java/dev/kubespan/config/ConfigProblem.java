package dev.kubespan.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: where (the file or {@code configadmin:<pid>}), which field
 * (e.g. {@code machine.network.kubespan.mtu}, {@code KubeSpanConfig.filters.endpoints[2]}), the line
 * in the file when known (0 otherwise) and why. Never carries the cluster secret's value.
 *
 * <p>Path and reason are cut at {@link #MAX_PATH_CHARS} and {@link #MAX_REASON_CHARS}: both may
 * quote what the file says (a key, a value), and a file can hold a megabyte in one value.
 */
public record ConfigProblem(String source, String path, int line, String reason) {
    /** The longest path kept; the rest is replaced by a note saying how much was cut. */
    public static final int MAX_PATH_CHARS = 200;
    /** The longest reason kept; the rest is replaced by a note saying how much was cut. */
    public static final int MAX_REASON_CHARS = 500;

    public ConfigProblem {
        source = Objects.requireNonNullElse(source, "");
        path = abbreviate(Objects.requireNonNullElse(path, ""), MAX_PATH_CHARS);
        reason = abbreviate(Objects.requireNonNullElse(reason, ""), MAX_REASON_CHARS);
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

    /** {@code s} itself when short enough, else its start and how many characters were left out. */
    static String abbreviate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int keep = max;
        if (Character.isHighSurrogate(s.charAt(keep - 1))) {
            keep--; // never split a character
        }
        return s.substring(0, keep) + "... (" + (s.length() - keep) + " more characters)";
    }
}
