package dev.kubespan.api;

import java.util.HashSet;
import java.util.Set;

/**
 * A log for code that runs in passes (a controller's reconcile): a warning or error already
 * reported in the previous pass goes to debug, so a bad input that persists is reported once,
 * not on every pass, and is reported again if it goes away and comes back. Passes are delimited
 * by {@link #beginPass()} and {@link #endPass()}.
 */
public final class RepeatSuppressingLog implements Log {
    private final Log delegate;
    private Set<String> previous = new HashSet<>();
    private Set<String> current = new HashSet<>();

    public RepeatSuppressingLog(Log delegate) {
        this.delegate = delegate;
    }

    public synchronized void beginPass() {
        current = new HashSet<>();
    }

    /** What was not repeated in this pass will be reported again when it recurs. */
    public synchronized void endPass() {
        previous = current;
        current = new HashSet<>();
    }

    @Override
    public void debug(String message) {
        delegate.debug(message);
    }

    @Override
    public void info(String message) {
        delegate.info(message);
    }

    @Override
    public void warn(String message) {
        if (firstReport(message)) {
            delegate.warn(message);
        } else {
            delegate.debug(message);
        }
    }

    @Override
    public void error(String message, Throwable cause) {
        if (firstReport(message)) {
            delegate.error(message, cause);
        } else {
            delegate.debug(message + (cause == null ? "" : ": " + cause));
        }
    }

    private synchronized boolean firstReport(String message) {
        boolean firstInPass = current.add(message);
        return firstInPass && !previous.contains(message);
    }
}
