package dev.kubespan.api.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when told to, and whose tasks run on the thread
 * that calls {@link #runDue()} or {@link #advance}: for unit tests and simulations of
 * controllers, which then run deterministically, one task at a time across all lanes.
 */
public final class ManualScheduler implements Scheduler {
    private record Task(Instant due, long seq, ManualLane lane, Runnable body) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.due.equals(b.due) ? Long.compare(a.seq, b.seq) : a.due.compareTo(b.due));
    private final ThreadLocal<ManualLane> running = new ThreadLocal<>();
    private Instant now;
    /** The monotonic clock: moves with {@link #advance}, not with {@link #stepWallClock}. */
    private long nanos;
    private long seq;

    public ManualScheduler(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    /**
     * Steps the wall clock by {@code d} (either way) as an operator's {@code date -s} would: the
     * monotonic clock does not move and no task runs. Pending tasks stay as far in the future as
     * they were, as on {@link Scheduler#system()}, whose timers are relative delays.
     */
    public synchronized void stepWallClock(Duration d) {
        now = now.plus(d);
        List<Task> shifted = new ArrayList<>();
        for (Task t : tasks) {
            shifted.add(new Task(t.due.plus(d), t.seq, t.lane, t.body));
        }
        tasks.clear();
        tasks.addAll(shifted);
    }

    /** A clock that reads this scheduler's time, for code that takes a {@link Clock}. */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now();
            }
        };
    }

    @Override
    public Lane lane(String name) {
        return new ManualLane(name);
    }

    /** Runs every task due now, including those they add for now; returns how many ran. */
    public int runDue() {
        int n = 0;
        Task t;
        while ((t = pollDue()) != null) {
            run(t);
            n++;
        }
        return n;
    }

    /**
     * Moves time forward by {@code d} (on the monotonic clock: a {@link #stepWallClock} by a task
     * meanwhile neither shortens nor lengthens it), running each task when its time comes, in time
     * order.
     */
    public void advance(Duration d) {
        long end;
        synchronized (this) {
            end = nanos + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                Task head = tasks.peek();
                Duration left = Duration.ofNanos(end - nanos);
                Duration untilHead = head == null ? null : Duration.between(now, head.due);
                if (head == null || untilHead.compareTo(left) > 0) {
                    moveBy(left);
                    break;
                }
                tasks.poll();
                if (!untilHead.isNegative() && !untilHead.isZero()) {
                    moveBy(untilHead);
                }
                t = head;
            }
            run(t);
        }
        runDue();
    }

    private void moveBy(Duration d) {
        nanos += d.toNanos();
        now = now.plus(d);
    }

    /** Tasks waiting, due or not (for tests). */
    public synchronized int pending() {
        return tasks.size();
    }

    private synchronized Task pollDue() {
        Task head = tasks.peek();
        if (head == null || head.due.isAfter(now)) {
            return null;
        }
        return tasks.poll();
    }

    private void run(Task t) {
        if (t.lane.stopped) {
            return;
        }
        ManualLane before = running.get();
        running.set(t.lane);
        try {
            t.body.run();
        } finally {
            running.set(before);
        }
    }

    private synchronized Task add(ManualLane lane, Runnable body, Instant due) {
        Task t = new Task(due, seq++, lane, body);
        tasks.add(t);
        return t;
    }

    private final class ManualLane implements Lane {
        private final String name;
        volatile boolean stopped;

        ManualLane(String name) {
            this.name = name;
        }

        @Override
        public void execute(Runnable task) {
            if (!stopped) {
                add(this, task, now());
            }
        }

        @Override
        public Cancellable schedule(Runnable task, Instant when) {
            if (stopped) {
                return () -> {
                };
            }
            Task t = add(this, task, when);
            return () -> {
                synchronized (ManualScheduler.this) {
                    tasks.remove(t);
                }
            };
        }

        @Override
        public boolean isCurrent() {
            return running.get() == this;
        }

        @Override
        public boolean shutdown(Duration timeout) {
            stopped = true;
            synchronized (ManualScheduler.this) {
                List<Task> mine = new ArrayList<>();
                for (Task t : tasks) {
                    if (t.lane == this) {
                        mine.add(t);
                    }
                }
                tasks.removeAll(mine);
            }
            return true;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
