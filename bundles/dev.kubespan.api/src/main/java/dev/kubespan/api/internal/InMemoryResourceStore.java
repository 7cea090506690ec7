package dev.kubespan.api.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.Metadata;
import dev.kubespan.api.OwnershipException;
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
 * Writes are checked against the claims of {@link #claim}: a claimed type takes writes only from
 * its claimants, and a shared type's resource only from the claimant that created it.
 */
@Component(service = ResourceStore.class)
public final class InMemoryResourceStore implements ResourceStore {

    private final Object lock = new Object();
    /** type name → "namespace/id" → resource; TreeMap keeps lists in id order. */
    private final Map<String, TreeMap<String, Resource<?>>> data = new java.util.HashMap<>();
    private final List<WatchImpl<?>> watches = new CopyOnWriteArrayList<>();
    /** type name → its claims; guarded by {@link #lock}. */
    private final Map<String, Claims> claims = new HashMap<>();
    private final Executor delivery;
    private final ExecutorService ownedDelivery;
    private final Clock clock;
    private final Log log;
    /** Writes that changed something (creations, updates, deletions); guarded by {@link #lock}. */
    private long changes;

    @Activate
    public InMemoryResourceStore(@Reference(service = LoggerFactory.class) Logger logger) {
        this(Clock.systemUTC(), null, Log.of(logger));
    }

    /** With the store's own delivery threads and the console log: for tests and tools. */
    public InMemoryResourceStore() {
        this(Clock.systemUTC(), null, Log.console("kubespan store"));
    }

    /**
     * @param delivery runs watch deliveries; null for the store's own thread pool. Tests pass
     *        {@code Runnable::run} to have every listener called before a write returns.
     * @param log where a failing watch listener is reported
     */
    public InMemoryResourceStore(Clock clock, Executor delivery, Log log) {
        this.clock = clock;
        this.log = log;
        if (delivery == null) {
            this.ownedDelivery = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "kubespan-store-watch");
                t.setDaemon(true);
                return t;
            });
            this.delivery = ownedDelivery;
        } else {
            this.ownedDelivery = null;
            this.delivery = delivery;
        }
    }

    @Deactivate
    public void deactivate() {
        watches.forEach(WatchImpl::close);
        if (ownedDelivery != null) {
            ownedDelivery.shutdownNow();
            try {
                ownedDelivery.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The writers of one type: one exclusive owner, or any number of sharing owners. */
    private static final class Claims {
        String exclusive;
        final Set<String> shared = new LinkedHashSet<>();

        boolean holds(String owner) {
            return owner.equals(exclusive) || shared.contains(owner);
        }

        String describe() {
            return exclusive != null ? exclusive + " (exclusively)" : String.join(", ", shared) + " (shared)";
        }
    }

    /** How many writes changed something since the store was created (for tests and diagnostics). */
    public long changes() {
        synchronized (lock) {
            return changes;
        }
    }

    /** Open watches (for tests and diagnostics: a stopped bundle must leave none). */
    public int watchCount() {
        return watches.size();
    }

    @Override
    public Claim claim(String owner, ResourceType<?> type, boolean exclusive) {
        if (owner == null || owner.isEmpty()) {
            throw new IllegalArgumentException("a claim needs an owner name");
        }
        synchronized (lock) {
            Claims c = claims.computeIfAbsent(type.name(), k -> new Claims());
            if (c.holds(owner)) {
                throw new OwnershipException(type.name() + ": " + owner + " already declared it as output"
                        + " (a second controller with the same name?)");
            }
            if (c.exclusive != null || (exclusive && !c.shared.isEmpty())) {
                throw new OwnershipException(type.name() + ": " + owner + " cannot declare it as "
                        + (exclusive ? "exclusive" : "shared") + " output: it is held by " + c.describe());
            }
            if (exclusive) {
                c.exclusive = owner;
            } else {
                c.shared.add(owner);
            }
        }
        return new Claim() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    Claims c = claims.get(type.name());
                    if (c != null) {
                        if (owner.equals(c.exclusive)) {
                            c.exclusive = null;
                        }
                        c.shared.remove(owner);
                        if (c.exclusive == null && c.shared.isEmpty()) {
                            claims.remove(type.name());
                        }
                    }
                }
            }
        };
    }

    /**
     * Refuses a write by {@code owner} that the claims forbid. A resource left by an owner that
     * holds no claim any more (its bundle is gone) may be taken over.
     */
    private void checkWrite(ResourceType<?> type, String namespace, String id, Resource<?> existing, String owner,
            String verb) {
        Claims c = claims.get(type.name());
        String what = type.name() + " " + namespace + "/" + id;
        if (c != null && !c.holds(owner)) {
            throw new OwnershipException("cannot " + verb + " " + what + " as " + (owner.isEmpty() ? "(no owner)" : owner)
                    + ": " + type.name() + " is written by " + c.describe());
        }
        if (existing != null && c != null && c.exclusive == null) {
            String holder = existing.metadata().owner();
            if (!holder.equals(owner) && c.holds(holder)) {
                throw new OwnershipException("cannot " + verb + " " + what + " as " + owner + ": it belongs to "
                        + holder + " (" + type.name() + " is shared by " + String.join(", ", c.shared) + ")");
            }
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
            String who = owner == null ? "" : owner;
            checkWrite(type, namespace, id, old, who, "write");
            if (old != null && old.spec().equals(spec) && old.metadata().owner().equals(who)) {
                return old;
            }
            Instant now = clock.instant();
            Metadata md = old == null
                    ? new Metadata(namespace, type.name(), id, 1, now, now, who)
                    : new Metadata(namespace, type.name(), id, old.version() + 1, old.metadata().created(), now, who);
            Resource<S> r = new Resource<>(md, spec);
            byKey.put(key(namespace, id), r);
            changes++;
            publish(type, old == null ? Kind.CREATED : Kind.UPDATED, r);
            return r;
        }
    }

    @Override
    public boolean delete(ResourceType<?> type, String namespace, String id, String owner) {
        return deleteTyped(type, namespace, id, owner == null ? "" : owner);
    }

    private <S> boolean deleteTyped(ResourceType<S> type, String namespace, String id, String owner) {
        synchronized (lock) {
            TreeMap<String, Resource<?>> byKey = data.get(type.name());
            Resource<S> old = byKey == null ? null : cast(byKey.get(key(namespace, id)));
            checkWrite(type, namespace, id, old, owner, "delete");
            if (old == null) {
                return false;
            }
            byKey.remove(key(namespace, id));
            changes++;
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
                        log.error("watch listener for " + type.name() + " failed", ex);
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
