package dev.kubespan.test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.kubespan.api.Log;

/**
 * A {@link Log} that keeps every line as {@code LEVEL message} (errors with {@code [cause: Class:
 * message]} appended) for assertions, and echoes warnings and errors to standard error so a
 * failing test shows them.
 */
public final class RecordingLog implements Log {
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void debug(String message) {
        lines.add("DEBUG " + message);
    }

    @Override
    public synchronized void info(String message) {
        lines.add("INFO " + message);
    }

    @Override
    public synchronized void warn(String message) {
        lines.add("WARN " + message);
        System.err.println("[test log] WARN " + message);
    }

    @Override
    public synchronized void error(String message, Throwable cause) {
        String line = "ERROR " + message + (cause == null ? ""
                : " [cause: " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "]");
        lines.add(line);
        System.err.println("[test log] " + line);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Lines of one level ({@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR}), without the level. */
    public synchronized List<String> at(String level) {
        String prefix = level + " ";
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    /** Whether a warning containing {@code fragment} was logged. */
    public synchronized boolean warned(String fragment) {
        return at("WARN").stream().anyMatch(m -> m.contains(fragment));
    }

    public synchronized long count(Predicate<String> line) {
        return lines.stream().filter(line).count();
    }

    public synchronized void clear() {
        lines.clear();
    }
}
