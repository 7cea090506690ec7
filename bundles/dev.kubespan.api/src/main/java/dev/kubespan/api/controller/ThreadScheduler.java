package dev.kubespan.api.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler#system()}: a single-thread scheduled executor per lane. */
final class ThreadScheduler implements Scheduler {
    static final ThreadScheduler INSTANCE = new ThreadScheduler(Clock.systemUTC());

    private final Clock clock;

    ThreadScheduler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Lane lane(String name) {
        return new ThreadLane(name);
    }

    private final class ThreadLane implements Lane {
        private final ScheduledThreadPoolExecutor executor;
        private volatile Thread thread;

        ThreadLane(String name) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                thread = t;
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public void execute(Runnable task) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException stopped) {
                // shut down: nothing runs any more
            }
        }

        @Override
        public Cancellable schedule(Runnable task, Instant when) {
            long delay = Math.max(0, Duration.between(clock.instant(), when).toNanos());
            try {
                ScheduledFuture<?> f = executor.schedule(task, delay, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException stopped) {
                return () -> {
                };
            }
        }

        @Override
        public boolean isCurrent() {
            return Thread.currentThread() == thread;
        }

        @Override
        public boolean shutdown(Duration timeout) {
            executor.shutdown();
            executor.getQueue().clear();
            if (isCurrent()) {
                return false; // a pass that stops its own controller: it ends when the pass returns
            }
            try {
                return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
