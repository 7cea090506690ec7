package dev.kubespan.discovery.server.internal.state;

import java.time.Duration;
import java.util.List;

/**
 * Where the discovery service keeps its clusters: {@link State} in this process's memory (with
 * snapshots), or the etcd backend shared by several replicas. Every backend validates with
 * {@link Requests}, merges with {@link AffiliateRecord#merge} and feeds watchers through
 * {@link Clusters}, so the protocol behaves the same on both.
 */
public interface StateBackend extends AutoCloseable {
    Limits limits();

    /** Hello: validates the cluster ID (the in-memory state also creates the cluster). */
    void touch(String clusterId);

    /** AffiliateUpdate (§4.2). */
    void update(String clusterId, String affiliateId, byte[] data, List<byte[]> endpoints, Duration ttl);

    /** AffiliateDelete; an unknown ID is not an error. */
    void delete(String clusterId, String affiliateId);

    /** All affiliates of the cluster, including those with empty data; any order. */
    List<AffiliateView> list(String clusterId);

    /**
     * Registers a watcher: its {@link Subscription#snapshot()} is the state at registration and
     * every later change goes to its buffer; {@code signal} runs whenever there is something to
     * poll or its status changed (on the changing thread: it must only schedule work).
     */
    Subscription watch(String clusterId, Runnable signal);

    /**
     * Whether a call may wait on another system (etcd: a write waits for its commit). Calls of a
     * backend that never blocks run on the transport's event loops, with no hand-off to a call
     * thread; the others run on the server's call threads.
     */
    default boolean blocksCalls() {
        return true;
    }

    /** Periodic housekeeping: expiry where the backend does it itself, idle clusters. */
    State.GcResult gc();

    /** Ends every watch cleanly (server shutdown). */
    void closeAllSubscriptions();

    State.Stats stats();

    /** Whether the backend can take writes now, and why not. */
    Health health();

    /** {@code available} false: writes fail with UNAVAILABLE; {@code detail} says why (or where it is connected). */
    record Health(boolean available, String detail) {
    }

    @Override
    default void close() {
    }
}
