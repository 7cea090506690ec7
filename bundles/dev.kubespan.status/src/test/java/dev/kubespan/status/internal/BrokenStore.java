package dev.kubespan.status.internal;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/** Delegates to a store, but every {@code get} throws. */
final class BrokenStore implements ResourceStore {
    private final ResourceStore delegate;

    BrokenStore(ResourceStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        throw new IllegalStateException("store unavailable");
    }

    @Override
    public <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        return delegate.list(type, namespace);
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        return delegate.put(type, namespace, id, spec, owner);
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id) {
        return delegate.delete(type, namespace, id);
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        return delegate.watch(type, namespace, listener);
    }
}
