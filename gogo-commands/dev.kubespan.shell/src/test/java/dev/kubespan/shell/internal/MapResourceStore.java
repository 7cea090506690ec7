package dev.kubespan.shell.internal;

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

/** A map-backed store for command tests: fixed timestamps, synchronous watch delivery, open watches counted. */
final class MapResourceStore implements ResourceStore {
    static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");
    static final Instant T1 = Instant.parse("2026-11-26T09:05:30.5Z");

    private final Map<String, Resource<?>> data = new TreeMap<>();
    private final List<W<?>> watches = new CopyOnWriteArrayList<>();

    private static String key(ResourceType<?> t, String ns, String id) {
        return t.name() + "|" + ns + "|" + id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        return Optional.ofNullable((Resource<S>) data.get(key(type, namespace, id)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : data.values()) {
            if (r.metadata().type().equals(type.name()) && (namespace == null || namespace.equals(r.namespace()))) {
                out.add((Resource<S>) r);
            }
        }
        return out;
    }

    @Override
    public synchronized <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        Optional<Resource<S>> old = get(type, namespace, id);
        if (old.isPresent() && old.get().spec().equals(spec)) {
            return old.get();
        }
        Metadata md = old.isEmpty() ? new Metadata(namespace, type.name(), id, 1, T0, T0, owner)
                : new Metadata(namespace, type.name(), id, old.get().version() + 1, T0, T1, owner);
        Resource<S> r = new Resource<>(md, spec);
        data.put(key(type, namespace, id), r);
        fire(type, old.isEmpty() ? ResourceEvent.Kind.CREATED : ResourceEvent.Kind.UPDATED, r);
        return r;
    }

    @Override
    public synchronized boolean delete(ResourceType<?> type, String namespace, String id) {
        Resource<?> old = data.remove(key(type, namespace, id));
        if (old != null) {
            fireRaw(type, old);
        }
        return old != null;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private void fireRaw(ResourceType type, Resource r) {
        fire(type, ResourceEvent.Kind.DESTROYED, r);
    }

    @SuppressWarnings("unchecked")
    private <S> void fire(ResourceType<S> type, ResourceEvent.Kind kind, Resource<S> r) {
        for (W<?> w : watches) {
            if (w.type == type && (w.namespace == null || w.namespace.equals(r.namespace()))) {
                ((W<S>) w).listener.accept(new ResourceEvent<>(kind, type, r));
            }
        }
    }

    @Override
    public synchronized <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        W<S> w = new W<>(type, namespace, listener);
        for (Resource<S> r : list(type, namespace)) {
            listener.accept(new ResourceEvent<>(ResourceEvent.Kind.CREATED, type, r));
        }
        listener.accept(new ResourceEvent<>(ResourceEvent.Kind.BOOTSTRAPPED, type, null));
        watches.add(w);
        return w;
    }

    int openWatches() {
        return watches.size();
    }

    private final class W<S> implements Watch {
        final ResourceType<S> type;
        final String namespace;
        final Consumer<ResourceEvent<S>> listener;

        W(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
            this.type = type;
            this.namespace = namespace;
            this.listener = listener;
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
