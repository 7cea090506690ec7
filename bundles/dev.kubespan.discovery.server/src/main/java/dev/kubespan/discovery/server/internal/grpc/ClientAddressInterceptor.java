package dev.kubespan.discovery.server.internal.grpc;

import java.net.InetAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kubespan.discovery.server.internal.limit.ActiveCalls;
import dev.kubespan.discovery.server.internal.limit.RateLimiter;
import dev.kubespan.discovery.server.internal.metrics.LimitMetrics;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Works out the caller's IP (see {@link ClientAddresses}) for Hello and for the per-IP limits,
 * then admits the call: at most so many calls in progress per IP, and a token of the IP's rate
 * limit, waited for without a thread (see {@link DelayedCall}); a call whose token would come
 * after its deadline, or after the longest wait allowed, fails at once with RESOURCE_EXHAUSTED.
 */
public final class ClientAddressInterceptor implements ServerInterceptor {
    /** The caller's IP as resolved for this call; null when unknown. */
    public static final Context.Key<InetAddress> CLIENT_IP = Context.key("discovery-client-ip");

    private final ClientAddresses addresses;
    private final ActiveCalls activeCalls;
    private final RateLimiter limiter;
    private final LimitMetrics metrics;
    private final Executor delayedStarts;

    /**
     * {@code activeCalls} null: no cap of calls per IP; {@code limiter} null: no rate limit. A call
     * that waited for its token starts on {@code delayedStarts} (handed the limiter's timer thread,
     * which must not run a handler that blocks).
     */
    public ClientAddressInterceptor(ClientAddresses addresses, ActiveCalls activeCalls, RateLimiter limiter,
            LimitMetrics metrics, Executor delayedStarts) {
        this.addresses = addresses;
        this.activeCalls = activeCalls;
        this.limiter = limiter;
        this.metrics = metrics;
        this.delayedStarts = delayedStarts;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        InetAddress ip = addresses.resolve(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), headers);
        String key = ip == null ? "" : ip.getHostAddress();
        if (activeCalls != null && !activeCalls.tryAcquire(key)) {
            metrics.callRejected(LimitMetrics.IP_LIMIT);
            return refuse(call, "too many concurrent calls from " + (ip == null ? "this client" : key));
        }
        Runnable release = activeCalls == null ? () -> { } : once(() -> activeCalls.release(key));
        ServerCall.Listener<Q> listener;
        try {
            listener = admit(key, Context.current().withValue(CLIENT_IP, ip), call, headers, next);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        if (listener == null) {
            release.run();
            return new ServerCall.Listener<>() {
            };
        }
        return activeCalls == null ? listener : new Releasing<>(listener, release);
    }

    /** The call's listener, or null when the call was refused (and closed). */
    private <Q, R> ServerCall.Listener<Q> admit(String key, Context context, ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (limiter == null) {
            return Contexts.interceptCall(context, call, headers, next);
        }
        Deadline deadline = Context.current().getDeadline();
        long maxWait = deadline == null ? Long.MAX_VALUE
                : Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        RateLimiter.Ticket ticket = limiter.admit(key, maxWait);
        if (ticket.refusal() == RateLimiter.Refusal.TOO_LATE) {
            metrics.callRejected(LimitMetrics.RATE_LIMIT);
            refuse(call, "rate limit exceeds request timeout");
            return null;
        }
        if (ticket.refusal() == RateLimiter.Refusal.QUEUE_FULL) {
            metrics.callRejected(LimitMetrics.RATE_LIMIT_QUEUE_FULL);
            refuse(call, "too many calls waiting for the rate limit");
            return null;
        }
        if (ticket.waitNanos() == 0) {
            return Contexts.interceptCall(context, call, headers, next);
        }
        metrics.rateLimitDelayed();
        return DelayedCall.start(ticket, context, call, headers, next, metrics, delayedStarts);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String why) {
        call.close(Status.RESOURCE_EXHAUSTED.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static Runnable once(Runnable r) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                r.run();
            }
        };
    }

    /** Gives the call's place back when it ends, however it ends. */
    private static final class Releasing<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final Runnable release;

        Releasing(ServerCall.Listener<Q> delegate, Runnable release) {
            super(delegate);
            this.release = release;
        }

        @Override
        public void onComplete() {
            try {
                super.onComplete();
            } finally {
                release.run();
            }
        }

        @Override
        public void onCancel() {
            try {
                super.onCancel();
            } finally {
                release.run();
            }
        }
    }
}
