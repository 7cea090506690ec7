package dev.kubespan.discovery.server.internal.state;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One watcher of one cluster: the snapshot it started from, then a bounded buffer of events;
 * the consumer drains it with {@link #poll()} whenever {@code signal} runs. A consumer may fall
 * {@code capacity} events behind. One that took nothing while those piled up is not reading: it
 * is dropped and marked lost (the stream then ends with ABORTED). One that is reading, only more
 * slowly than events come (its transport is busy, e.g. the server's core is saturated), gets
 * another {@code capacity} of room each time it fills up with some event taken meanwhile, up to
 * {@link #GROWTH} times the capacity; beyond that it is lost too.
 */
public final class Subscription {
    /** What the consumer must do next. */
    public enum Status {
        ACTIVE, LOST, CLOSED
    }

    private final Cluster cluster;
    private final List<AffiliateView> snapshot;
    /** How many times {@code capacity} a consumer that keeps taking events may fall behind. */
    static final int GROWTH = 4;

    private final int capacity;
    private final Runnable signal;
    private final ArrayDeque<ClusterEvent> buffer;
    private Status status = Status.ACTIVE;
    /** The size at which the consumer must have taken something since the last check. */
    private int limit;
    private boolean tookSinceCheck;

    Subscription(Cluster cluster, List<AffiliateView> snapshot, int capacity, Runnable signal) {
        this.cluster = cluster;
        this.snapshot = List.copyOf(snapshot);
        this.capacity = capacity;
        this.signal = signal;
        this.buffer = new ArrayDeque<>(capacity);
        this.limit = capacity;
    }

    /** All affiliates of the cluster at the moment the subscription was registered. */
    public List<AffiliateView> snapshot() {
        return snapshot;
    }

    public String clusterId() {
        return cluster.id();
    }

    /** Adds an event; false if the consumer fell too far behind (the subscription is then lost). */
    synchronized boolean offer(ClusterEvent event) {
        if (status != Status.ACTIVE) {
            return true;
        }
        int size = buffer.size();
        if (size == 0) {
            tookSinceCheck = false;
        }
        if (size < capacity) {
            limit = capacity;
        } else if (size >= limit) {
            if (!tookSinceCheck || limit >= capacity * GROWTH) {
                buffer.clear();
                status = Status.LOST;
                return false;
            }
            tookSinceCheck = false;
            limit += capacity;
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
        ClusterEvent e = buffer.poll();
        if (e != null) {
            tookSinceCheck = true;
        }
        return e;
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
