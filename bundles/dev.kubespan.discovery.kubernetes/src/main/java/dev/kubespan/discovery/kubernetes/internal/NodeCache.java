package dev.kubespan.discovery.kubernetes.internal;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Nodes as the last list plus the watch events since describe them, by name. Written by the
 * watch thread, read by the reconcile thread. Not {@link #synced()} until the first list has
 * arrived: before that, nothing may be concluded about which Nodes are gone.
 */
final class NodeCache {
    private final Map<String, NodeView> nodes = new TreeMap<>();
    private boolean synced;

    synchronized void replaceAll(Collection<NodeView> all) {
        nodes.clear();
        all.forEach(n -> nodes.put(n.name(), n));
        synced = true;
    }

    synchronized void put(NodeView n) {
        nodes.put(n.name(), n);
    }

    synchronized void remove(String name) {
        nodes.remove(name);
    }

    synchronized int size() {
        return nodes.size();
    }

    synchronized boolean synced() {
        return synced;
    }

    synchronized Optional<NodeView> get(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** A copy, ordered by Node name. */
    synchronized Map<String, NodeView> snapshot() {
        return new TreeMap<>(nodes);
    }
}
