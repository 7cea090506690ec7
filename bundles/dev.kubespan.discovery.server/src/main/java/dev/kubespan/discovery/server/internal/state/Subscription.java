package dev.kubespan.discovery.server.internal.state;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One watcher of one cluster: the snapshot it started from, then a bounded buffer of events.
 * When the buffer overflows the subscription is dropped and marked lost (the stream then ends
 * with ABORTED); the consumer drains it with {@link #poll()} whenever {@code signal} runs.
 */
public final class Subscription {
    /** What the consumer must do next. */
    public enum Status {
        ACTIVE, LOST, CLOSED
    }

    private final Cluster cluster;
    private final List<AffiliateView> snapshot;
    private final int capacity;
    private final Runnable signal;
    private final ArrayDeque<ClusterEvent> buffer;
    private Status status = Status.ACTIVE;

    Subscription(Cluster cluster, List<AffiliateView> snapshot, int capacity, Runnable signal) {
        this.cluster = cluster;
        this.snapshot = List.copyOf(snapshot);
        this.capacity = capacity;
        this.signal = signal;
        this.buffer = new ArrayDeque<>(capacity);
    }

    /** All affiliates of the cluster at the moment the subscription was registered. */
    public List<AffiliateView> snapshot() {
        return snapshot;
    }

    public String clusterId() {
        return cluster.id();
    }

    /** Adds an event; false if the buffer was full (the subscription is then lost). */
    synchronized boolean offer(ClusterEvent event) {
        if (status != Status.ACTIVE) {
            return true;
        }
        if (buffer.size() >= capacity) {
            buffer.clear();
            status = Status.LOST;
            return false;
        }
        buffer.add(event);
        return true;
    }

    /** The next buffered event without taking it, or null. */
    public synchronized ClusterEvent peek() {
        return buffer.peek();
    }

    /** The next buffered event, or null when there is none (check {@link #status()} then). */
    public synchronized ClusterEvent poll() {
        return buffer.poll();
    }

    public synchronized Status status() {
        return status;
    }

    synchronized void markClosed() {
        if (status == Status.ACTIVE) {
            status = Status.CLOSED;
        }
    }

    void signal() {
        signal.run();
    }

    /** Stops the subscription (client went away); idempotent. */
    public void cancel() {
        cluster.unsubscribe(this);
        synchronized (this) {
            buffer.clear();
            if (status == Status.ACTIVE) {
                status = Status.CLOSED;
            }
        }
    }
}
