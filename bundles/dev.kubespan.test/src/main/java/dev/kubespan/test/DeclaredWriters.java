package dev.kubespan.test;

import java.util.Map;
import java.util.TreeMap;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;

/**
 * Writes on behalf of other controllers, as the shared writers they are: the first write of an
 * owner to a type declares it (a shared claim), so the store accepts it beside the controller
 * under test. {@link #close()} withdraws every declaration.
 */
public final class DeclaredWriters implements AutoCloseable {
    private final ResourceStore store;
    private final Map<String, ResourceStore.Claim> claims = new TreeMap<>();

    public DeclaredWriters(ResourceStore store) {
        this.store = store;
    }

    public synchronized <S> Resource<S> put(String owner, ResourceType<S> type, String namespace, String id, S spec) {
        claims.computeIfAbsent(owner + "|" + type.name(), k -> store.claim(owner, type, false));
        return store.put(type, namespace, id, spec, owner);
    }

    @Override
    public synchronized void close() {
        claims.values().forEach(ResourceStore.Claim::close);
        claims.clear();
    }
}
