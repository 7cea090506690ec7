package dev.kubespan.api.controller;

import java.time.Duration;
import java.time.Instant;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Time and threads for running controllers: {@link #system()} in the framework, a manual one in
 * unit tests so that time moves only when the test says so.
 */
@ConsumerType
public interface Scheduler {

    /** The wall clock: for instants that are shown or sent, and for wake-up times. */
    Instant now();

    /**
     * A monotonic reading in nanoseconds, as {@link System#nanoTime()}: for ages and deadlines,
     * which a step of the wall clock (an operator's {@code date -s}, a first NTP sync) must not
     * move. Only differences between two readings mean anything.
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /** A serial executor for one controller: its tasks never overlap and run in order. */
    Lane lane(String name);

    /** The serial executor of one controller. */
    interface Lane {
        void execute(Runnable task);

        /** Runs {@code task} at {@code when} or soon after; the handle cancels it. */
        Cancellable schedule(Runnable task, Instant when);

        /** Whether the calling thread runs this lane's tasks. */
        boolean isCurrent();

        /**
         * Takes no new tasks, drops pending ones, and waits up to {@code timeout} for a running
         * one; returns whether nothing runs any more.
         */
        boolean shutdown(Duration timeout);
    }

    interface Cancellable {
        void cancel();
    }

    /** One daemon thread per lane, the system clock. */
    static Scheduler system() {
        return ThreadScheduler.INSTANCE;
    }
}
