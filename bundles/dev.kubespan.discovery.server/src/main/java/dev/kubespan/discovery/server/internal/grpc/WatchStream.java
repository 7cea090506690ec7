package dev.kubespan.discovery.server.internal.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.ClusterEvent;
import dev.kubespan.discovery.server.internal.state.StateBackend;
import dev.kubespan.discovery.server.internal.state.Subscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch call: sends the snapshot, then the buffered events while the transport is ready.
 * Delivery runs on the fan-out executor, never on the thread that changed the state (an update
 * returns without waiting for its watchers). Pending events of the same kind go out as one
 * message of already serialized bytes (see {@link SerializedResponse}). A client that does not
 * read lets the subscription's buffer fill, and the stream then ends with ABORTED. Deliveries
 * are serialised by a work-in-progress counter, so the observer is never called concurrently.
 */
final class WatchStream {
    /** Upper bound of one batched message; a single event is at most ~4.5 KB. */
    private static final int MAX_BATCH_BYTES = 256 * 1024;
    /**
     * A watcher that was sent something less than this long ago waits out the rest before the
     * next send, so that a stream of updates goes out in batches instead of one message each.
     * A change after a quiet spell goes out at once. 10 ms rather than 2: with the server's core
     * saturated by 2,000 updates/s into 100 watchers, 2 ms left 10-44 of them aborted as lost
     * and 10 ms none or one (README, Benchmark); a stream of updates reaches a watcher at most
     * 10 ms later.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ServerCallStreamObserver<Object> out;
    private final ScheduledExecutorService executor;
    private volatile long lastSendNanos = System.nanoTime() - LINGER_NANOS;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Subscription subscription;
    private volatile boolean done;
    private boolean snapshotSent;

    private WatchStream(ServerCallStreamObserver<Object> out, ScheduledExecutorService executor) {
        this.out = out;
        this.executor = executor;
    }

    /** Registers the watch and schedules the snapshot; throws StateException for a bad cluster ID. */
    static void start(StateBackend state, String clusterId, ServerCallStreamObserver<Object> out,
            ScheduledExecutorService executor) {
        WatchStream w = new WatchStream(out, executor);
        out.setOnCancelHandler(w::cancelled);
        out.setOnReadyHandler(w::schedule);
        w.subscription = state.watch(clusterId, w::schedule);
        if (w.done) {
            w.subscription.cancel();
            return;
        }
        w.schedule();
    }

    private void cancelled() {
        done = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void schedule() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        try {
            long wait = lastSendNanos + LINGER_NANOS - System.nanoTime();
            if (wait > 0) {
                executor.schedule(this::drain, wait, TimeUnit.NANOSECONDS);
            } else {
                executor.execute(this::drain);
            }
        } catch (RejectedExecutionException stopping) {
            // The server is closing; its shutdown ends the call.
        }
    }

    private void drain() {
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
            if (status == Subscription.Status.CLOSED && s.peek() == null) {
                done = true;
                out.onCompleted();
                return;
            }
            if (!out.isReady()) {
                return;
            }
            ClusterEvent first = s.poll();
            if (first == null) {
                return;
            }
            lastSendNanos = System.nanoTime();
            byte[] bytes = first.wireForm(Messages::watchResponseBytes);
            ClusterEvent next = s.peek();
            if (next == null || next.isDeleted() != first.isDeleted()) {
                out.onNext(new SerializedResponse(bytes));
                continue;
            }
            List<byte[]> batch = new ArrayList<>();
            batch.add(bytes);
            int size = bytes.length;
            while (next != null && next.isDeleted() == first.isDeleted() && size < MAX_BATCH_BYTES) {
                s.poll();
                byte[] b = next.wireForm(Messages::watchResponseBytes);
                batch.add(b);
                size += b.length;
                next = s.peek();
            }
            out.onNext(new SerializedResponse(batch, size));
        }
    }
}
