package dev.kubespan.status.internal;

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
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/** A map-backed store; watch events are delivered synchronously on the writing thread. */
final class FakeStore implements ResourceStore {
    private final TreeMap<String, Resource<?>> data = new TreeMap<>();
    final List<FakeWatch> watches = new CopyOnWriteArrayList<>();

    final class FakeWatch implements Watch {
        final ResourceType<?> type;
        final String namespace;
        final Consumer<ResourceEvent<?>> listener;

        FakeWatch(ResourceType<?> type, String namespace, Consumer<ResourceEvent<?>> listener) {
            this.type = type;
            this.namespace = namespace;
            this.listener = listener;
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    private static String key(ResourceType<?> type, String ns, String id) {
        return type.name() + "\u0000" + ns + "\u0000" + id;
    }

    @Override
    public synchronized <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return Optional.ofNullable(cast(data.get(key(type, namespace, id))));
    }

    @Override
    public synchronized <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : data.values()) {
            if (r.metadata().type().equals(type.name()) && (namespace == null || namespace.equals(r.namespace()))) {
                out.add(cast(r));
            }
        }
        return out;
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        Resource<S> r;
        ResourceEvent.Kind kind;
        synchronized (this) {
            Resource<S> old = cast(data.get(key(type, namespace, id)));
            if (old != null && old.spec().equals(spec)) {
                return old;
            }
            Instant now = Instant.now();
            r = new Resource<>(new Metadata(namespace, type.name(), id, old == null ? 1 : old.version() + 1,
                    old == null ? now : old.metadata().created(), now, owner), spec);
            data.put(key(type, namespace, id), r);
            kind = old == null ? ResourceEvent.Kind.CREATED : ResourceEvent.Kind.UPDATED;
        }
        publish(type, kind, r);
        return r;
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id) {
        Resource<?> old;
        synchronized (this) {
            old = data.remove(key(type, namespace, id));
        }
        if (old != null) {
            publish(type, ResourceEvent.Kind.DESTROYED, old);
        }
        return old != null;
    }

    @Override
    @SuppressWarnings({ "unchecked", "rawtypes" })
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        FakeWatch w = new FakeWatch(type, namespace, (Consumer) listener);
        for (Resource<S> r : list(type, namespace)) {
            listener.accept(new ResourceEvent<>(ResourceEvent.Kind.CREATED, type, r));
        }
        listener.accept(new ResourceEvent<>(ResourceEvent.Kind.BOOTSTRAPPED, type, null));
        watches.add(w);
        return w;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private void publish(ResourceType<?> type, ResourceEvent.Kind kind, Resource<?> r) {
        for (FakeWatch w : watches) {
            if (w.type == type && (w.namespace == null || w.namespace.equals(r.namespace()))) {
                w.listener.accept(new ResourceEvent(kind, type, r));
            }
        }
    }

    /** Specs of one type in a namespace, by id. */
    synchronized <S> Map<String, S> specs(ResourceType<S> type, String namespace) {
        Map<String, S> out = new TreeMap<>();
        list(type, namespace).forEach(r -> out.put(r.id(), r.spec()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <S> Resource<S> cast(Resource<?> r) {
        return (Resource<S>) r;
    }
}
