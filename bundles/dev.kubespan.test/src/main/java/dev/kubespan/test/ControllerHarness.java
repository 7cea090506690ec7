package dev.kubespan.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.ManualScheduler;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;

/**
 * Runs controllers as the framework does — the real store and the real runtime — but on the
 * test's thread and on a clock that moves only when the test says so: every watch event is
 * delivered before a write returns, and passes run on {@link #settle()} or {@link #advance}.
 * Inputs written by the test carry the owner {@value #OWNER}; {@link #putAs} writes as another
 * writer of a shared type.
 */
public final class ControllerHarness implements AutoCloseable {
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    public static final String OWNER = "test";

    public final ManualScheduler scheduler;
    public final RecordingLog log = new RecordingLog();
    public final InMemoryResourceStore store;
    private final ControllerRuntime runtime;
    private final List<RunningController> running = new ArrayList<>();
    private final DeclaredWriters writers;

    public ControllerHarness() {
        this(START);
    }

    public ControllerHarness(Instant start) {
        scheduler = new ManualScheduler(start);
        store = new InMemoryResourceStore(scheduler.clock(), Runnable::run, log);
        runtime = new ControllerRuntime(store, log, scheduler);
        writers = new DeclaredWriters(store);
    }

    /** Starts a controller and runs what is due (its first pass, once its inputs are read). */
    public RunningController start(Controller controller) {
        RunningController r = runtime.start(controller);
        running.add(r);
        settle();
        return r;
    }

    /** Runs every pass that is due now. */
    public void settle() {
        scheduler.runDue();
    }

    /** One more pass of {@code controller} now, as an external trigger would cause. */
    public void pass(RunningController controller) {
        controller.trigger();
        settle();
    }

    /** Moves the clock, running passes as their wake-ups come. */
    public void advance(Duration d) {
        scheduler.advance(d);
    }

    /** Moves the clock to {@code t} (not backwards). */
    public void advanceTo(Instant t) {
        Duration d = Duration.between(now(), t);
        scheduler.advance(d.isNegative() ? Duration.ZERO : d);
    }

    /** Writes that changed the store so far. */
    public long writes() {
        return store.changes();
    }

    public Instant now() {
        return scheduler.now();
    }

    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec) {
        return store.put(type, namespace, id, spec, OWNER);
    }

    /** Writes as {@code owner}, declared a shared writer of the type first (as another controller would be). */
    public <S> Resource<S> putAs(String owner, ResourceType<S> type, String namespace, String id, S spec) {
        return writers.put(owner, type, namespace, id, spec);
    }

    public boolean delete(ResourceType<?> type, String namespace, String id) {
        return store.delete(type, namespace, id, OWNER);
    }

    public <S> Optional<S> spec(ResourceType<S> type, String namespace, String id) {
        return store.get(type, namespace, id).map(Resource::spec);
    }

    public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return store.get(type, namespace, id);
    }

    /** The specs of a type in a namespace by id, in id order. */
    public <S> Map<String, S> specs(ResourceType<S> type, String namespace) {
        Map<String, S> out = new LinkedHashMap<>();
        for (Resource<S> r : store.list(type, namespace)) {
            out.put(r.id(), r.spec());
        }
        return out;
    }

    @Override
    public void close() {
        running.forEach(RunningController::close);
        writers.close();
        store.deactivate();
    }
}
