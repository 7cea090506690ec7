package dev.kubespan.config.internal;

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

/** The real store, counting the writes that changed something (a rejected edit must make none). */
final class TestStore implements ResourceStore {
    private final InMemoryResourceStore store = new InMemoryResourceStore();
    private final AtomicInteger writes = new AtomicInteger();

    @Override
    public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return store.get(type, namespace, id);
    }

    @Override
    public <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        return store.list(type, namespace);
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        Optional<Resource<S>> before = store.get(type, namespace, id);
        Resource<S> after = store.put(type, namespace, id, spec, owner);
        if (before.isEmpty() || before.get() != after) {
            writes.incrementAndGet();
        }
        return after;
    }

    @Override
    public Claim claim(String owner, ResourceType<?> type, boolean exclusive) {
        return store.claim(owner, type, exclusive);
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id, String owner) {
        boolean existed = store.delete(type, namespace, id, owner);
        if (existed) {
            writes.incrementAndGet();
        }
        return existed;
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        return store.watch(type, namespace, listener);
    }

    int writes() {
        return writes.get();
    }
}
