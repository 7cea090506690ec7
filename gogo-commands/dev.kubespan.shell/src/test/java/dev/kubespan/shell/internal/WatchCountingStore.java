package dev.kubespan.shell.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.test.RecordingLog;

/**
 * The real store for command tests, with a clock fixed at {@link #T0} (stable timestamps in the
 * rendered output) and watch events delivered before a write returns, counting the watches that
 * are open (a command must close its watch when it ends).
 */
final class WatchCountingStore implements ResourceStore {
    static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

    private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.fixed(T0, ZoneOffset.UTC), Runnable::run,
            new RecordingLog());
    private final AtomicInteger openWatches = new AtomicInteger();

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
        return store.put(type, namespace, id, spec, owner);
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id, String owner) {
        return store.delete(type, namespace, id, owner);
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        Watch w = store.watch(type, namespace, listener);
        openWatches.incrementAndGet();
        return new Watch() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    w.close();
                    openWatches.decrementAndGet();
                }
            }
        };
    }

    int openWatches() {
        return openWatches.get();
    }
}
