package dev.kubespan.manager.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.kubespan.api.Metadata;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceEvent.Kind;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/** A map-backed store that delivers watch events synchronously and counts effective writes. */
final class TestStore implements ResourceStore {
    private record Listener(ResourceType<?> type, String namespace, Consumer<ResourceEvent<?>> consumer) {
    }

    private final Map<String, TreeMap<String, Resource<?>>> data = new TreeMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private int writes;

    synchronized int writes() {
        return writes;
    }

    @Override
    public synchronized <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return Optional.ofNullable(cast(table(type).get(namespace + "/" + id)));
    }

    @Override
    public synchronized <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : table(type).values()) {
            if (namespace == null || namespace.equals(r.namespace())) {
                out.add(cast(r));
            }
        }
        return out;
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        Resource<S> r;
        Kind kind;
        synchronized (this) {
            Resource<S> old = cast(table(type).get(namespace + "/" + id));
            if (old != null && old.spec().equals(spec)) {
                return old;
            }
            Instant now = Instant.now();
            long version = old == null ? 1 : old.version() + 1;
            r = new Resource<>(new Metadata(namespace, type.name(), id, version,
                    old == null ? now : old.metadata().created(), now, owner), spec);
            table(type).put(namespace + "/" + id, r);
            writes++;
            kind = old == null ? Kind.CREATED : Kind.UPDATED;
        }
        publish(type, kind, r);
        return r;
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id) {
        Resource<?> old;
        synchronized (this) {
            old = table(type).remove(namespace + "/" + id);
            if (old == null) {
                return false;
            }
            writes++;
        }
        publish(type, Kind.DESTROYED, old);
        return true;
    }

    @Override
    @SuppressWarnings({ "unchecked", "rawtypes" })
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        Listener l = new Listener(type, namespace, (Consumer) listener);
        for (Resource<S> r : list(type, namespace)) {
            listener.accept(new ResourceEvent<>(Kind.CREATED, type, r));
        }
        listener.accept(new ResourceEvent<>(Kind.BOOTSTRAPPED, type, null));
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    int watchCount() {
        return listeners.size();
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private void publish(ResourceType<?> type, Kind kind, Resource<?> r) {
        for (Listener l : listeners) {
            if (l.type() == type && (l.namespace() == null || l.namespace().equals(r.namespace()))) {
                l.consumer().accept(new ResourceEvent(kind, type, r));
            }
        }
    }

    private TreeMap<String, Resource<?>> table(ResourceType<?> type) {
        return data.computeIfAbsent(type.name(), k -> new TreeMap<>());
    }

    @SuppressWarnings("unchecked")
    private static <S> Resource<S> cast(Resource<?> r) {
        return (Resource<S>) r;
    }
}
