package dev.kubespan.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The store watches that wake one {@link ReconcileLoop}: each relevant change triggers the loop,
 * and {@link #bootstrapped()} tells whether every watch has delivered its initial snapshot (so a
 * reconcile does not act on a half-read store, e.g. delete outputs whose inputs are not read yet).
 */
public final class LoopInputs implements AutoCloseable {
    private final ResourceStore store;
    private final ReconcileLoop loop;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();

    public LoopInputs(ResourceStore store, ReconcileLoop loop) {
        this.store = store;
        this.loop = loop;
    }

    /** Every change of {@code type} in {@code namespace} (null: all namespaces) triggers the loop. */
    public <S> LoopInputs watch(ResourceType<S> type, String namespace) {
        return watch(type, namespace, r -> true);
    }

    /** Changes for which {@code relevant} holds trigger the loop. */
    public <S> LoopInputs watch(ResourceType<S> type, String namespace, Predicate<Resource<S>> relevant) {
        pending.incrementAndGet();
        watches.add(store.watch(type, namespace, (ResourceEvent<S> e) -> {
            if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
                pending.decrementAndGet();
                loop.trigger();
            } else if (relevant.test(e.resource())) {
                loop.trigger();
            }
        }));
        return this;
    }

    /** Whether every watch has delivered its snapshot. */
    public boolean bootstrapped() {
        return pending.get() == 0;
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
        watches.clear();
    }
}
