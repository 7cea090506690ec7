package dev.kubespan.api.controller;

import java.time.Duration;
import java.util.Objects;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;

/**
 * Runs {@link Controller}s against a {@link ResourceStore}. Plain Java: a DS component creates
 * one with its store and logger, starts its controllers in {@code @Activate} and closes them in
 * {@code @Deactivate}; unit tests pass a {@link ManualScheduler}.
 */
public final class ControllerRuntime {
    /** First retry after a failed pass; doubles up to {@link #RETRY_MAX}. */
    public static final Duration RETRY_INITIAL = Duration.ofMillis(200);
    public static final Duration RETRY_MAX = Duration.ofSeconds(30);
    /** How long {@link RunningController#close()} waits for a running pass. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final ResourceStore store;
    private final Log log;
    private final Scheduler scheduler;

    public ControllerRuntime(ResourceStore store, Log log) {
        this(store, log, Scheduler.system());
    }

    public ControllerRuntime(ResourceStore store, Log log, Scheduler scheduler) {
        this.store = Objects.requireNonNull(store, "store");
        this.log = Objects.requireNonNull(log, "log");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Claims the controller's outputs, watches its inputs, and runs its first pass once every
     * input has delivered its snapshot.
     *
     * @throws dev.kubespan.api.OwnershipException when another owner holds one of its outputs
     */
    public RunningController start(Controller controller) {
        RunningController running = new RunningController(controller, store, scheduler, log);
        running.start();
        return running;
    }

    public Scheduler scheduler() {
        return scheduler;
    }
}
