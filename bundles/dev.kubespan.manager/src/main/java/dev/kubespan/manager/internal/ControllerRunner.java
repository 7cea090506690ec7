package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.kubespan.api.ReconcileLoop;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/**
 * Runs a {@link Controller} on its own {@link ReconcileLoop}: store watches and other change
 * signals trigger a run (coalesced), a periodic tick retries. A failing run is logged once per
 * distinct message and retried at the next tick; nothing escapes to the caller.
 */
final class ControllerRunner implements AutoCloseable {
    private final String name;
    private final Controller controller;
    private final CycleLog log;
    private final ReconcileLoop loop;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ScheduledFuture<?> tick;
    private Duration tickInterval;
    private String lastError;

    ControllerRunner(String name, Controller controller, CycleLog log) {
        this.name = name;
        this.controller = controller;
        this.log = log;
        this.loop = new ReconcileLoop("kubespan-" + name, this::runOnce,
                t -> log.error(name + ": unexpected failure", t));
    }

    /** Runs the controller after every event of {@code type} in {@code namespace}. */
    ControllerRunner watch(ResourceStore store, ResourceType<?> type, String namespace) {
        Watch w = store.watch(type, namespace, e -> loop.trigger());
        synchronized (closeables) {
            closeables.add(w);
        }
        return this;
    }

    /** Something else to close with the runner (e.g. a host network listener). */
    ControllerRunner closeWith(AutoCloseable c) {
        synchronized (closeables) {
            closeables.add(c);
        }
        return this;
    }

    /** Entry point for other change signals. */
    void trigger() {
        loop.trigger();
    }

    void start() {
        loop.trigger();
    }

    /** One reconcile on the calling thread; the loop calls it, and so may tests. */
    void runOnce() {
        log.begin();
        try {
            controller.reconcile();
            if (lastError != null) {
                log.info(name + ": recovered");
                lastError = null;
            }
        } catch (RuntimeException | LinkageError e) {
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!msg.equals(lastError)) {
                log.error(name + ": reconcile failed, retrying at the next tick: " + msg,
                        e instanceof IllegalArgumentException || e instanceof IllegalStateException ? null : e);
            } else {
                log.debug(name + ": still failing: " + msg);
            }
            lastError = msg;
        } finally {
            log.end();
            schedule(safeInterval());
        }
    }

    private Duration safeInterval() {
        try {
            Duration d = controller.tickInterval();
            return d == null || d.isNegative() || d.isZero() ? Duration.ofSeconds(30) : d;
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }

    private void schedule(Duration interval) {
        if (interval.equals(tickInterval) && tick != null) {
            return;
        }
        if (tick != null) {
            tick.cancel(false);
        }
        tickInterval = interval;
        long ms = interval.toMillis();
        try {
            tick = loop.executor().scheduleWithFixedDelay(loop::trigger, ms, ms, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            tick = null;
        }
    }

    /** Whether a periodic tick is scheduled, and at which interval (for tests). */
    Duration scheduledTick() {
        return tick == null ? null : tickInterval;
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (closeables) {
            toClose = new ArrayList<>(closeables);
            closeables.clear();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug(name + ": closing " + c + " failed: " + e);
            }
        }
        loop.close();
    }
}
