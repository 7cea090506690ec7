package dev.kubespan.api.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import dev.kubespan.api.Metadata;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceEvent.Kind;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/**
 * The resource store, in memory. Writes and watch registration happen under one lock so that a
 * watcher's snapshot and its later events form one gap-free, ordered sequence; delivery happens
 * on a pool thread, serially per watch, so a slow or re-entrant listener never blocks a writer.
 */
@Component(service = ResourceStore.class)
public final class InMemoryResourceStore implements ResourceStore {

    private final Object lock = new Object();
    /** type name → "namespace/id" → resource; TreeMap keeps lists in id order. */
    private final Map<String, TreeMap<String, Resource<?>>> data = new java.util.HashMap<>();
    private final List<WatchImpl<?>> watches = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery;
    private final Clock clock;

    @Activate
    public InMemoryResourceStore() {
        this(Clock.systemUTC());
    }

    InMemoryResourceStore(Clock clock) {
        this.clock = clock;
        this.delivery = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kubespan-store-watch");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    public void deactivate() {
        watches.forEach(WatchImpl::close);
        delivery.shutdownNow();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String key(String namespace, String id) {
        return namespace + "/" + id;
    }

    @Override
    public <S> Optional<Resource<S>> get(ResourceType<S> type, String namespace, String id) {
        synchronized (lock) {
            TreeMap<String, Resource<?>> byKey = data.get(type.name());
            return Optional.ofNullable(byKey == null ? null : cast(byKey.get(key(namespace, id))));
        }
    }

    @Override
    public <S> List<Resource<S>> list(ResourceType<S> type, String namespace) {
        synchronized (lock) {
            TreeMap<String, Resource<?>> byKey = data.get(type.name());
            List<Resource<S>> out = new ArrayList<>();
            if (byKey != null) {
                for (Resource<?> r : byKey.values()) {
                    if (namespace == null || namespace.equals(r.namespace())) {
                        out.add(cast(r));
                    }
                }
            }
            return out;
        }
    }

    @Override
    public <S> Resource<S> put(ResourceType<S> type, String namespace, String id, S spec, String owner) {
        type.cast(spec);
        synchronized (lock) {
            TreeMap<String, Resource<?>> byKey = data.computeIfAbsent(type.name(), k -> new TreeMap<>());
            Resource<S> old = cast(byKey.get(key(namespace, id)));
            if (old != null && old.spec().equals(spec)) {
                return old;
            }
            Instant now = clock.instant();
            Metadata md = old == null
                    ? new Metadata(namespace, type.name(), id, 1, now, now, owner)
                    : new Metadata(namespace, type.name(), id, old.version() + 1, old.metadata().created(), now, owner);
            Resource<S> r = new Resource<>(md, spec);
            byKey.put(key(namespace, id), r);
            publish(type, old == null ? Kind.CREATED : Kind.UPDATED, r);
            return r;
        }
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id) {
        return deleteTyped(type, namespace, id);
    }

    private <S> boolean deleteTyped(ResourceType<S> type, String namespace, String id) {
        synchronized (lock) {
            TreeMap<String, Resource<?>> byKey = data.get(type.name());
            Resource<S> old = byKey == null ? null : cast(byKey.remove(key(namespace, id)));
            if (old == null) {
                return false;
            }
            publish(type, Kind.DESTROYED, old);
            return true;
        }
    }

    @Override
    public <S> Watch watch(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
        WatchImpl<S> w = new WatchImpl<>(type, namespace, listener);
        synchronized (lock) {
            for (Resource<S> r : list(type, namespace)) {
                w.enqueue(new ResourceEvent<>(Kind.CREATED, type, r));
            }
            w.enqueue(new ResourceEvent<>(Kind.BOOTSTRAPPED, type, null));
            watches.add(w);
        }
        return w;
    }

    private <S> void publish(ResourceType<S> type, Kind kind, Resource<S> r) {
        for (WatchImpl<?> w : watches) {
            if (w.type == type && (w.namespace == null || w.namespace.equals(r.namespace()))) {
                w.offer(new ResourceEvent<>(kind, type, r));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> Resource<S> cast(Resource<?> r) {
        return (Resource<S>) r;
    }

    private final class WatchImpl<S> implements Watch {
        final ResourceType<S> type;
        final String namespace;
        private final Consumer<ResourceEvent<S>> listener;
        private final Queue<ResourceEvent<S>> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();
        private volatile boolean closed;

        WatchImpl(ResourceType<S> type, String namespace, Consumer<ResourceEvent<S>> listener) {
            this.type = type;
            this.namespace = namespace;
            this.listener = listener;
        }

        @SuppressWarnings("unchecked")
        void offer(ResourceEvent<?> e) {
            enqueue((ResourceEvent<S>) e);
        }

        void enqueue(ResourceEvent<S> e) {
            if (closed) {
                return;
            }
            queue.add(e);
            schedule();
        }

        private void schedule() {
            if (draining.compareAndSet(false, true)) {
                try {
                    delivery.execute(this::drain);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    draining.set(false);
                }
            }
        }

        private void drain() {
            try {
                ResourceEvent<S> e;
                while (!closed && (e = queue.poll()) != null) {
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        // A listener's failure must not stop delivery to it or to others.
                        System.err.println("kubespan store: watch listener for " + type + " failed: " + ex);
                    }
                }
            } finally {
                draining.set(false);
                if (!closed && !queue.isEmpty()) {
                    schedule();
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            queue.clear();
            watches.remove(this);
        }
    }
}
