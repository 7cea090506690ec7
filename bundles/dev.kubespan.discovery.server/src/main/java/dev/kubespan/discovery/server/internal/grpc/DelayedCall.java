package dev.kubespan.discovery.server.internal.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.kubespan.discovery.server.internal.limit.RateLimiter;
import dev.kubespan.discovery.server.internal.metrics.LimitMetrics;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * A call that waits for its rate-limit token without holding a thread. Nothing is started (so
 * no message is requested and the handler does not run) until the limiter's timer says the token
 * is there; a cancellation that comes first gives the token back. Transport callbacks (from
 * grpc's call executor) and the start (from the timer thread) are serialised by a queue drained
 * by whichever thread finds it idle, so the handler's listener is never called concurrently. The
 * start runs where the server runs its calls (a blocking backend's call threads), not on the timer.
 */
final class DelayedCall<Q, R> extends ServerCall.Listener<Q> {
    private final RateLimiter.Ticket ticket;
    private final Context context;
    private final ServerCall<Q, R> call;
    private final Metadata headers;
    private final ServerCallHandler<Q, R> next;
    private final LimitMetrics metrics;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    // Only touched by tasks, which never run concurrently.
    private final List<Consumer<ServerCall.Listener<Q>>> early = new ArrayList<>();
    private ServerCall.Listener<Q> delegate;
    private boolean over;

    private DelayedCall(RateLimiter.Ticket ticket, Context context, ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next, LimitMetrics metrics) {
        this.ticket = ticket;
        this.context = context;
        this.call = call;
        this.headers = headers;
        this.next = next;
        this.metrics = metrics;
    }

    /** Returns the listener for grpc; the call starts in {@code context} once the ticket is due. */
    static <Q, R> ServerCall.Listener<Q> start(RateLimiter.Ticket ticket, Context context, ServerCall<Q, R> call,
            Metadata headers, ServerCallHandler<Q, R> next, LimitMetrics metrics, Executor startOn) {
        DelayedCall<Q, R> d = new DelayedCall<>(ticket, context, call, headers, next, metrics);
        ticket.whenDue(() -> {
            try {
                startOn.execute(() -> d.run(d::due));
            } catch (RejectedExecutionException stopping) {
                // the server is closing: its shutdown cancels the call, which gives the token back
                d.run(d::cancelBeforeStart);
            }
        });
        return d;
    }

    private void due() {
        if (over || !ticket.start()) {
            return;
        }
        try {
            delegate = Contexts.interceptCall(context, call, headers, next);
            for (Consumer<ServerCall.Listener<Q>> e : early) {
                e.accept(delegate);
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            early.clear();
        }
    }

    /** grpc catches a handler's exception on its own threads; here the call must be ended by hand. */
    private void fail(RuntimeException e) {
        over = true;
        try {
            call.close(Status.INTERNAL.withDescription("internal error").withCause(e), new Metadata());
        } catch (RuntimeException alreadyClosed) {
            // the handler closed it before failing
        }
    }

    private void forward(Consumer<ServerCall.Listener<Q>> event) {
        run(() -> {
            if (over) {
                return;
            }
            if (delegate == null) {
                early.add(event);
                return;
            }
            try {
                event.accept(delegate);
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    @Override
    public void onMessage(Q message) {
        forward(l -> l.onMessage(message));
    }

    @Override
    public void onHalfClose() {
        forward(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onReady() {
        forward(ServerCall.Listener::onReady);
    }

    @Override
    public void onComplete() {
        forward(ServerCall.Listener::onComplete);
    }

    @Override
    public void onCancel() {
        run(() -> {
            if (delegate != null) {
                if (!over) {
                    delegate.onCancel();
                }
                return;
            }
            cancelBeforeStart();
        });
    }

    private void cancelBeforeStart() {
        over = true;
        early.clear();
        if (ticket.cancel()) {
            metrics.rateLimitCancelled();
        }
    }

    private void run(Runnable task) {
        tasks.add(task);
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Runnable t;
            while ((t = tasks.poll()) != null) {
                t.run();
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
