package dev.kubespan.discovery.server.internal.limit;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The per-client rate limit of calls, with bounded costs. A call that must wait for its token
 * does not hold a thread: its start is scheduled on one timer thread. It waits at most
 * {@code maxWait} (or until its deadline, when that is sooner), at most {@code maxWaiting} calls
 * wait at once, and a call cancelled while it waits gives its token back.
 */
public final class RateLimiter implements AutoCloseable {
    /** Why a call is refused. */
    public enum Refusal {
        /** Its token would come after its deadline or after the longest wait allowed. */
        TOO_LATE,
        /** Too many calls are already waiting. */
        QUEUE_FULL
    }

    private final TokenBuckets buckets;
    private final long maxWaitNanos;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timer;

    public RateLimiter(TokenBuckets buckets, Duration maxWait, int maxWaiting, String threadName) {
        if (maxWait.isNegative() || maxWaiting < 0) {
            throw new IllegalArgumentException("the rate limit's wait and queue must not be negative");
        }
        this.buckets = buckets;
        this.maxWaitNanos = maxWait.toNanos();
        this.maxWaiting = maxWaiting;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Takes a token for {@code key} for a call that can wait {@code maxWaitNanos} at most (its
     * deadline; {@code Long.MAX_VALUE} for none).
     */
    public Ticket admit(String key, long maxWaitNanos) {
        long wait = buckets.reserve(key, Math.min(maxWaitNanos, this.maxWaitNanos));
        if (wait < 0) {
            return new Ticket(this, key, Refusal.TOO_LATE, 0);
        }
        if (wait == 0) {
            return new Ticket(this, key, null, 0);
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            buckets.refund(key);
            return new Ticket(this, key, Refusal.QUEUE_FULL, 0);
        }
        return new Ticket(this, key, null, wait);
    }

    /** Calls waiting for their token now. */
    public int waiting() {
        return waiting.get();
    }

    /** Forgets clients whose bucket is full again (housekeeping). */
    public int dropFull() {
        return buckets.dropFull();
    }

    /** Stops the timer; calls still waiting are never started (close the server first, which cancels them). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One call's admission: now, refused, or after a wait. */
    public static final class Ticket {
        private enum State { WAITING, STARTED, CANCELLED }

        private final RateLimiter limiter;
        private final String key;
        private final Refusal refusal;
        private final long waitNanos;
        private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
        private volatile ScheduledFuture<?> timerTask;

        private Ticket(RateLimiter limiter, String key, Refusal refusal, long waitNanos) {
            this.limiter = limiter;
            this.key = key;
            this.refusal = refusal;
            this.waitNanos = waitNanos;
        }

        /** Null when admitted (now or after {@link #waitNanos()}). */
        public Refusal refusal() {
            return refusal;
        }

        /** 0: the call may start now; otherwise it must wait this long (see {@link #whenDue}). */
        public long waitNanos() {
            return waitNanos;
        }

        /**
         * Runs {@code due} on the limiter's timer thread once the token is there. {@code due} must
         * call {@link #start()} (which tells whether the call was cancelled meanwhile) and must not block.
         */
        public void whenDue(Runnable due) {
            try {
                timerTask = limiter.timer.schedule(() -> {
                    try {
                        due.run();
                    } catch (RuntimeException e) {
                        // the call's own glue reports its failures; the timer must keep running
                    }
                }, waitNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopped) {
                cancel();
                throw stopped;
            }
            if (state.get() == State.CANCELLED) {
                timerTask.cancel(false);
            }
        }

        /** Marks the call started; false when it was cancelled first. */
        public boolean start() {
            if (state.compareAndSet(State.WAITING, State.STARTED)) {
                if (waitNanos > 0) {
                    limiter.waiting.decrementAndGet();
                }
                return true;
            }
            return false;
        }

        /** The call was cancelled before it started: its token goes back. False when it had started. */
        public boolean cancel() {
            if (!state.compareAndSet(State.WAITING, State.CANCELLED)) {
                return false;
            }
            if (waitNanos > 0) {
                limiter.waiting.decrementAndGet();
            }
            limiter.buckets.refund(key);
            ScheduledFuture<?> f = timerTask;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }
    }
}
