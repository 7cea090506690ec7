package dev.kubespan.discovery.server.internal.state;

import java.util.function.Function;

/**
 * One change sent to the watchers of a cluster: an updated affiliate (full content) or a deleted
 * one (ID only). The same event goes to every watcher, so its wire form is computed once.
 */
public final class ClusterEvent {
    private final AffiliateView affiliate;
    private final boolean deleted;
    private volatile Object wireForm;

    private ClusterEvent(AffiliateView affiliate, boolean deleted) {
        this.affiliate = affiliate;
        this.deleted = deleted;
    }

    static ClusterEvent updated(AffiliateView affiliate) {
        return new ClusterEvent(affiliate, false);
    }

    static ClusterEvent deleted(String id) {
        return new ClusterEvent(new AffiliateView(id, Blob.EMPTY, java.util.List.of()), true);
    }

    public AffiliateView affiliate() {
        return affiliate;
    }

    public String id() {
        return affiliate.id();
    }

    public boolean isDeleted() {
        return deleted;
    }

    /** The event encoded by {@code encoder}, computed by the first caller and shared afterwards. */
    @SuppressWarnings("unchecked")
    public <T> T wireForm(Function<ClusterEvent, T> encoder) {
        Object w = wireForm;
        if (w == null) {
            w = encoder.apply(this);
            wireForm = w;
        }
        return (T) w;
    }

    @Override
    public String toString() {
        return (deleted ? "deleted " : "updated ") + affiliate.id();
    }
}
