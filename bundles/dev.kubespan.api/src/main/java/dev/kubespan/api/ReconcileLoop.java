package dev.kubespan.api;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs one reconcile body on its own thread, coalescing triggers: any number of
 * {@link #trigger()} calls while a run is pending cause one run. Controllers use it so that
 * store callbacks never block and a reconcile never runs twice at once.
 */
public final class ReconcileLoop implements AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;
    private final Runnable body;
    private final Consumer<Throwable> onError;
    private final AtomicBoolean pending = new AtomicBoolean();

    public ReconcileLoop(String threadName, Runnable body, Consumer<Throwable> onError) {
        this.body = body;
        this.onError = onError;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Asks for a run as soon as possible. */
    public void trigger() {
        if (pending.compareAndSet(false, true) && !executor.isShutdown()) {
            try {
                executor.execute(this::runOnce);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pending.set(false);
            }
        }
    }

    /** Asks for a run after {@code delay}. */
    public void triggerIn(Duration delay) {
        if (!executor.isShutdown()) {
            try {
                executor.schedule(this::trigger, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closing: nothing more to run
            }
        }
    }

    /** The loop's executor, for work that must run on the reconcile thread. */
    public ScheduledExecutorService executor() {
        return executor;
    }

    private void runOnce() {
        pending.set(false);
        try {
            body.run();
        } catch (Throwable t) {
            onError.accept(t);
        }
    }

    /** Stops the loop and waits up to five seconds for a running reconcile to finish. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
