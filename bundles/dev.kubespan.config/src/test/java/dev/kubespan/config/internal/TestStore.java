package dev.kubespan.config.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.kubespan.api.Metadata;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/** A map-backed store for unit tests: versions grow only when a spec changes, as in the real one. */
final class TestStore implements ResourceStore {
    private final Map<String, Resource<?>> data = new TreeMap<>();
    int writes;

    private static String key(ResourceType<?> type, String namespace, String id) {
        return type.name() + "/" + namespace + "/" + id;
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
        Instant now = Instant.now();
        Metadata m = new Metadata(namespace, type.name(), id, old.map(r -> r.version() + 1).orElse(1L),
                old.map(r -> r.metadata().created()).orElse(now), now, owner);
        Resource<S> r = new Resource<>(m, spec);
        data.put(key(type, namespace, id), r);
        writes++;
        return r;
    }

    @Override
    public synchronized boolean delete(ResourceType<?> type, String namespace, String id) {
        boolean existed = data.remove(key(type, namespace, id)) != null;
        if (existed) {
            writes++;
        }
        return existed;
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        throw new UnsupportedOperationException("the config bundle never watches");
    }

    synchronized int writes() {
        return writes;
    }
}
