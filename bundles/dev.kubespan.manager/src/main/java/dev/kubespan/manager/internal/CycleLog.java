package dev.kubespan.manager.internal;

import java.util.HashSet;
import java.util.Set;

import dev.kubespan.api.Log;

/**
 * Logs a warning once while it keeps recurring: a message already warned about in the previous
 * reconcile cycle goes to debug only. A controller that reconciles every 30 s would otherwise
 * repeat the same complaint about the same bad input forever.
 */
final class CycleLog implements Log {
    private final Log delegate;
    private Set<String> previous = new HashSet<>();
    private Set<String> current = new HashSet<>();

    CycleLog(Log delegate) {
        this.delegate = delegate;
    }

    /** Starts a reconcile cycle. */
    synchronized void begin() {
        current = new HashSet<>();
    }

    /** Ends a reconcile cycle: what was not repeated in it will be logged again when it recurs. */
    synchronized void end() {
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
    public synchronized void warn(String message) {
        boolean firstInCycle = current.add(message);
        if (!firstInCycle || previous.contains(message)) {
            delegate.debug(message);
        } else {
            delegate.warn(message);
        }
    }

    @Override
    public void error(String message, Throwable cause) {
        delegate.error(message, cause);
    }
}
