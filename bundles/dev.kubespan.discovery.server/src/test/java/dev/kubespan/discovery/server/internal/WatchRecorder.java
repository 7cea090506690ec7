package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.fail;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** A Watch client view: applies the first message as a snapshot and later ones as deltas. */
final class WatchRecorder implements StreamObserver<WatchResponse> {
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Map<String, Affiliate> view = new TreeMap<>();
    private boolean first = true;
    private Status closedWith;
    int messages;
    int deletions;

    @Override
    public void onNext(WatchResponse value) {
        inbox.add(value);
    }

    @Override
    public void onError(Throwable t) {
        inbox.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        inbox.add(Status.OK);
    }

    /** Processes messages until {@code condition} holds on the view, or fails after 10 s. */
    synchronized Map<String, Affiliate> awaitView(Predicate<Map<String, Affiliate>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.test(view)) {
            Object next = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                fail("watch view never satisfied the condition; view=" + view.keySet());
            }
            apply(next);
        }
        return view;
    }

    /** Waits for the end of the stream and returns its status. */
    synchronized Status awaitClose() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closedWith == null) {
            Object next = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                fail("watch stream did not end");
            }
            apply(next);
        }
        return closedWith;
    }

    private void apply(Object next) {
        if (next instanceof Status s) {
            closedWith = s;
            return;
        }
        WatchResponse r = (WatchResponse) next;
        messages++;
        if (first) {
            first = false;
            view.clear();
        }
        for (Affiliate a : r.getAffiliatesList()) {
            if (r.getDeleted()) {
                deletions++;
                view.remove(a.getId());
            } else {
                view.put(a.getId(), a);
            }
        }
    }
}
