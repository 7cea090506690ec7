package dev.kubespan.discovery.server.internal.grpc;

import java.util.concurrent.atomic.AtomicInteger;

import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.ClusterEvent;
import dev.kubespan.discovery.server.internal.state.State;
import dev.kubespan.discovery.server.internal.state.Subscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch call: sends the snapshot, then one message per event while the transport is ready.
 * A client that does not read lets the subscription's buffer fill, and the stream then ends with
 * ABORTED. Deliveries are triggered from several threads (state changes, transport readiness)
 * and serialised by a work-in-progress counter, so the observer is never called concurrently.
 */
final class WatchStream {
    private final ServerCallStreamObserver<WatchResponse> out;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Subscription subscription;
    private volatile boolean done;
    private boolean snapshotSent;

    private WatchStream(ServerCallStreamObserver<WatchResponse> out) {
        this.out = out;
    }

    /** Registers the watch and sends the snapshot; throws StateException for a bad cluster ID. */
    static void start(State state, String clusterId, ServerCallStreamObserver<WatchResponse> out) {
        WatchStream w = new WatchStream(out);
        out.setOnCancelHandler(w::cancelled);
        out.setOnReadyHandler(w::drain);
        w.subscription = state.watch(clusterId, w::drain);
        if (w.done) {
            w.subscription.cancel();
            return;
        }
        w.drain();
    }

    private void cancelled() {
        done = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            try {
                deliver();
            } catch (RuntimeException e) {
                // The call is gone (e.g. cancelled meanwhile): stop delivering, keep the counter consistent.
                done = true;
                Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void deliver() {
        Subscription s = subscription;
        if (s == null || done) {
            return;
        }
        if (!snapshotSent) {
            snapshotSent = true;
            WatchResponse.Builder snap = WatchResponse.newBuilder();
            for (AffiliateView a : s.snapshot()) {
                snap.addAffiliates(Messages.affiliate(a));
            }
            out.onNext(snap.build());
        }
        while (true) {
            Subscription.Status status = s.status();
            if (status == Subscription.Status.LOST) {
                done = true;
                out.onError(Status.ABORTED.withDescription("subscription canceled: lost update").asRuntimeException());
                return;
            }
            if (status == Subscription.Status.CLOSED) {
                done = true;
                out.onCompleted();
                return;
            }
            if (!out.isReady()) {
                return;
            }
            ClusterEvent event = s.poll();
            if (event == null) {
                return;
            }
            out.onNext(event.wireForm(Messages::watchResponse));
        }
    }
}
