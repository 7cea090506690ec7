package dev.kubespan.test;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;
import dev.kubespan.api.internal.InMemoryResourceStore;

/**
 * The real store for the unit tests of code that uses a {@link ResourceStore}: watch events are
 * delivered before a write returns, the clock is the test's, and the test can count what the code
 * did ({@link #writes()}, {@link #openWatches()}) and make writes fail ({@link #failWrites}).
 */
public final class TestStore implements ResourceStore {
    public final RecordingLog log = new RecordingLog();
    private final InMemoryResourceStore store;
    private volatile RuntimeException writeFailure;

    /** On the system clock. */
    public TestStore() {
        this(Clock.systemUTC());
    }

    /** On {@code clock} (a fixed one gives stable timestamps in rendered output). */
    public TestStore(Clock clock) {
        store = new InMemoryResourceStore(clock, Runnable::run, log);
    }

    /** Writes that changed something: creations, updates to another spec, deletions of a resource. */
    public int writes() {
        return (int) store.changes();
    }

    /** Watches opened and not yet closed (code that ends must close its watches). */
    public int openWatches() {
        return store.watchCount();
    }

    /** From now on every {@code put} and {@code delete} throws {@code failure}; null writes again. */
    public void failWrites(RuntimeException failure) {
        writeFailure = failure;
    }

    @Override
    public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return store.get(type, namespace, id);
    }

    @Override
    public <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        return store.list(type, namespace);
    }

    @Override
    public Claim claim(String owner, ResourceType<?> type, boolean exclusive) {
        return store.claim(owner, type, exclusive);
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        failIfAsked();
        return store.put(type, namespace, id, spec, owner);
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id, String owner) {
        failIfAsked();
        return store.delete(type, namespace, id, owner);
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        return store.watch(type, namespace, listener);
    }

    private void failIfAsked() {
        RuntimeException failure = writeFailure;
        if (failure != null) {
            throw failure;
        }
    }
}
