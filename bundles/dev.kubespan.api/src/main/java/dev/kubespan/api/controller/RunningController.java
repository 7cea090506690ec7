package dev.kubespan.api.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kubespan.api.Backoff;
import dev.kubespan.api.Log;
import dev.kubespan.api.RepeatSuppressingLog;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/**
 * A controller the runtime runs: passes on the controller's own lane, coalesced (any number of
 * triggers while a pass is queued make one pass; a trigger during a pass makes one more after
 * it), gated until every input delivered its snapshot, woken at the time the last pass asked
 * for, retried with backoff after a failure.
 */
public final class RunningController implements AutoCloseable {
    private final Controller controller;
    private final String name;
    private final ResourceStore store;
    private final Scheduler scheduler;
    private final Scheduler.Lane lane;
    private final Log log;
    private final RepeatSuppressingLog passLog;
    private final Backoff backoff;
    private final Set<String> readable = new HashSet<>();
    private final Set<String> writable = new HashSet<>();
    private final List<ResourceStore.Claim> claims = new ArrayList<>();
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private final AtomicInteger unbootstrapped = new AtomicInteger();

    // Guarded by this.
    private boolean queued;
    private boolean closed;
    private Scheduler.Cancellable wake;
    private Instant wakeAt;
    private List<CompletableFuture<Void>> waiters = new ArrayList<>();

    // Touched only on the lane.
    private String failure;
    private long passes;

    RunningController(Controller controller, ResourceStore store, Scheduler scheduler, Log log) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.name = Objects.requireNonNull(controller.name(), "controller name");
        this.store = store;
        this.scheduler = scheduler;
        this.log = log;
        this.passLog = new RepeatSuppressingLog(log);
        this.backoff = new Backoff(ControllerRuntime.RETRY_INITIAL, ControllerRuntime.RETRY_MAX, 2.0, 0.2);
        this.lane = scheduler.lane("kubespan-" + shortName(name));
    }

    /** {@code dev.kubespan.manager/device} → {@code manager/device}: unique, and short enough for a thread dump. */
    private static String shortName(String name) {
        return name.startsWith("dev.kubespan.") ? name.substring("dev.kubespan.".length()) : name;
    }

    void start() {
        try {
            for (Output o : controller.outputs()) {
                claims.add(store.claim(name, o.type(), o.exclusive()));
                writable.add(o.type().name());
                readable.add(o.type().name());
            }
        } catch (RuntimeException e) {
            claims.forEach(ResourceStore.Claim::close);
            lane.shutdown(ControllerRuntime.STOP_TIMEOUT);
            throw e;
        }
        List<Input<?>> inputs = controller.inputs();
        unbootstrapped.set(inputs.size());
        for (Input<?> in : inputs) {
            readable.add(in.type().name());
        }
        for (Input<?> in : inputs) {
            closeables.add(watch(in));
        }
        if (inputs.isEmpty()) {
            trigger();
        }
    }

    private <S> Watch watch(Input<S> input) {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        return store.watch(input.type(), input.namespace(), (ResourceEvent<S> e) -> onEvent(input, seen, e));
    }

    private <S> void onEvent(Input<S> input, Map<String, Object> seen, ResourceEvent<S> e) {
        switch (e.kind()) {
            case BOOTSTRAPPED -> {
                if (unbootstrapped.decrementAndGet() == 0) {
                    trigger();
                }
            }
            case CREATED, UPDATED -> {
                Resource<S> r = e.resource();
                String key = r.namespace() + "/" + r.id();
                boolean changed = true;
                if (input.projection() != null) {
                    Object part = Optional.ofNullable((Object) input.projection().apply(r)).orElse(NONE);
                    Object before = seen.put(key, part);
                    changed = e.kind() == ResourceEvent.Kind.CREATED || !part.equals(before);
                }
                if (changed && unbootstrapped.get() == 0 && input.relevant(r)) {
                    trigger();
                }
            }
            case DESTROYED -> {
                Resource<S> r = e.resource();
                seen.remove(r.namespace() + "/" + r.id());
                if (unbootstrapped.get() == 0 && input.relevant(r)) {
                    trigger();
                }
            }
        }
    }

    private static final Object NONE = new Object();

    public String name() {
        return name;
    }

    /** Asks for a pass as soon as possible (for change signals from outside the store). */
    public void trigger() {
        synchronized (this) {
            if (closed || queued) {
                return;
            }
            queued = true;
        }
        lane.execute(this::pass);
    }

    /**
     * Asks for a pass and returns a future completed when a pass that started after this call
     * has ended (successful or not); failed at once when stopped.
     */
    public CompletableFuture<Void> runNow() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                f.completeExceptionally(new IllegalStateException(name + " is stopped"));
                return f;
            }
            waiters.add(f);
        }
        trigger();
        return f;
    }

    /** Closed together with this controller (a listener registration that triggers it, say). */
    public RunningController closeWith(AutoCloseable c) {
        boolean now;
        synchronized (this) {
            now = closed;
            if (!now) {
                closeables.add(c);
            }
        }
        if (now) {
            closeQuietly(c);
        }
        return this;
    }

    /** When the pending wake is due; empty when none is (for tests and diagnostics). */
    public synchronized Optional<Instant> nextWake() {
        return Optional.ofNullable(wakeAt);
    }

    /** Passes run so far, gated ones not counted (for tests and diagnostics); read it on the lane or after close. */
    public long passes() {
        return passes;
    }

    private void pass() {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            queued = false;
            if (closed) {
                return;
            }
            done = waiters;
            waiters = new ArrayList<>();
        }
        try {
            if (unbootstrapped.get() > 0) {
                return;
            }
            passes++;
            PassContext ctx = new PassContext();
            Instant next;
            passLog.beginPass();
            try {
                controller.reconcile(ctx);
                if (failure != null) {
                    log.info(name + ": recovered");
                    failure = null;
                }
                backoff.reset();
                next = ctx.wakeOnTheClockNow();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                next = scheduler.now().plus(failed(t));
            } finally {
                passLog.endPass();
            }
            scheduleWake(next);
        } finally {
            done.forEach(f -> f.complete(null));
        }
    }

    /** Logs a failure once per distinct cause, with its stack trace; returns the retry delay. */
    private java.time.Duration failed(Throwable t) {
        java.time.Duration retry = backoff.next();
        String cause = t.getClass().getName() + ": " + t.getMessage();
        String line = name + ": pass failed, retrying in " + retry.toMillis() + " ms: " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage());
        if (cause.equals(failure)) {
            log.debug(line);
        } else if (isClosed()) {
            log.debug(line + " (while stopping)");
        } else {
            log.error(line, t);
        }
        failure = cause;
        return retry;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void scheduleWake(Instant at) {
        synchronized (this) {
            if (wake != null) {
                wake.cancel();
                wake = null;
            }
            wakeAt = at;
            if (at == null || closed) {
                return;
            }
            wake = lane.schedule(this::trigger, at);
        }
    }

    /**
     * Stops triggers and wake-ups, closes the watches, waits up to
     * {@link ControllerRuntime#STOP_TIMEOUT} for a running pass, then withdraws the claims. The
     * controller's resources stay in the store: a restarted controller continues from them.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> pending;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (wake != null) {
                wake.cancel();
                wake = null;
            }
            wakeAt = null;
            pending = waiters;
            waiters = new ArrayList<>();
        }
        pending.forEach(f -> f.completeExceptionally(new IllegalStateException(name + " is stopped")));
        for (AutoCloseable c : closeables) {
            closeQuietly(c);
        }
        closeables.clear();
        if (!lane.shutdown(ControllerRuntime.STOP_TIMEOUT) && !lane.isCurrent()) {
            log.warn(name + ": a pass was still running " + ControllerRuntime.STOP_TIMEOUT.toSeconds()
                    + " s after the stop");
        }
        claims.forEach(ResourceStore.Claim::close);
        claims.clear();
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug(name + ": closing " + c + " failed: " + e);
        }
    }

    private final class PassContext implements ControllerContext {
        /** The earliest wake-up asked for, on the monotonic clock; valid when {@link #wakeAsked}. */
        private long wakeNanos;
        private boolean wakeAsked;
        /** The pass's latest reading of the wall clock and the monotonic reading taken with it. */
        private Instant lastNow;
        private long lastNanos;

        @Override
        public Instant now() {
            lastNow = scheduler.now();
            lastNanos = scheduler.nanoTime();
            return lastNow;
        }

        @Override
        public long nanoTime() {
            return scheduler.nanoTime();
        }

        /**
         * The wake-up asked for, as far from the wall clock now as it was from the reading it was
         * computed from, less the time since: a step of the wall clock during or after a pass
         * neither delays a wake-up by the step nor makes it fire at once.
         */
        Instant wakeOnTheClockNow() {
            return wakeAsked ? scheduler.now().plusNanos(wakeNanos - scheduler.nanoTime()) : null;
        }

        @Override
        public Log log() {
            return passLog;
        }

        private void checkRead(ResourceType<?> type) {
            if (!readable.contains(type.name())) {
                throw new IllegalStateException(name + " reads " + type.name()
                        + ", which it declares neither as input nor as output");
            }
        }

        private void checkWrite(ResourceType<?> type) {
            if (!writable.contains(type.name())) {
                throw new IllegalStateException(name + " writes " + type.name() + ", which it does not declare as output");
            }
        }

        @Override
        public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
            checkRead(type);
            return store.get(type, namespace, id);
        }

        @Override
        public <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
            checkRead(type);
            return store.list(type, namespace);
        }

        @Override
        public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec) {
            checkWrite(type);
            return store.put(type, namespace, id, spec, name);
        }

        @Override
        public boolean delete(ResourceType<?> type, String namespace, String id) {
            checkWrite(type);
            return store.delete(type, namespace, id, name);
        }

        @Override
        public <S> List<Resource<S>> owned(ResourceType<S> type, String namespace) {
            checkWrite(type);
            List<Resource<S>> out = new ArrayList<>();
            for (Resource<S> r : store.list(type, namespace)) {
                if (name.equals(r.metadata().owner())) {
                    out.add(r);
                }
            }
            return out;
        }

        @Override
        public int deleteOwnedExcept(ResourceType<?> type, String namespace, Collection<String> keep) {
            int n = 0;
            for (Resource<?> r : owned(type, namespace)) {
                if (!keep.contains(r.id()) && store.delete(type, r.namespace(), r.id(), name)) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public void wakeAt(Instant when) {
            if (when == null) {
                return;
            }
            if (lastNow == null) {
                now();
            }
            long at = saturatingAdd(lastNanos, Duration.between(lastNow, when));
            if (!wakeAsked || at - wakeNanos < 0) {
                wakeNanos = at;
                wakeAsked = true;
            }
        }

        /** {@code nanos + d}, a far past or future taken as a year away (no overflow). */
        private static long saturatingAdd(long nanos, Duration d) {
            long bound = Duration.ofDays(365).toNanos();
            long delta = d.compareTo(Duration.ofDays(365)) > 0 ? bound
                    : d.compareTo(Duration.ofDays(-365)) < 0 ? -bound : d.toNanos();
            return nanos + delta;
        }
    }

    @Override
    public String toString() {
        return "RunningController[" + name + "]";
    }
}
