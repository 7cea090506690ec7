package dev.kubespan.discovery.server.internal.grpc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.discovery.server.internal.limit.TokenBuckets;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Works out the caller's IP (TCP peer, or the proxy headers when trusted) for Hello and for the
 * per-IP rate limit, then admits the call: it waits for a token of the caller's bucket, or fails
 * with RESOURCE_EXHAUSTED when the token would come after the call's deadline.
 */
public final class ClientAddressInterceptor implements ServerInterceptor {
    /** The caller's IP as resolved for this call; null when unknown. */
    public static final Context.Key<InetAddress> CLIENT_IP = Context.key("discovery-client-ip");

    static final Metadata.Key<String> X_REAL_IP = Metadata.Key.of("x-real-ip", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> X_FORWARDED_FOR = Metadata.Key.of("x-forwarded-for",
            Metadata.ASCII_STRING_MARSHALLER);

    private final boolean trustRealIp;
    private final boolean trustForwardedFor;
    private final TokenBuckets limiter;

    /** {@code limiter} null disables rate limiting. */
    public ClientAddressInterceptor(boolean trustRealIp, boolean trustForwardedFor, TokenBuckets limiter) {
        this.trustRealIp = trustRealIp;
        this.trustForwardedFor = trustForwardedFor;
        this.limiter = limiter;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        InetAddress ip = resolve(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), headers);
        if (limiter != null) {
            Status refused = admit(ip == null ? "" : ip.getHostAddress());
            if (refused != null) {
                call.close(refused, new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT_IP, ip), call, headers, next);
    }

    /** Null when admitted (possibly after waiting), else the status to fail the call with. */
    private Status admit(String key) {
        Deadline deadline = Context.current().getDeadline();
        long maxWait = deadline == null ? Long.MAX_VALUE : Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        long wait = limiter.reserve(key, maxWait);
        if (wait < 0) {
            return Status.RESOURCE_EXHAUSTED.withDescription("rate limit exceeds request timeout");
        }
        if (wait > 0) {
            // Runs on the server's call executor (not an event loop), which is sized for waiting calls.
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Status.CANCELLED.withDescription("server shutting down");
            }
        }
        return null;
    }

    InetAddress resolve(SocketAddress peer, Metadata headers) {
        if (trustRealIp) {
            InetAddress a = parse(headers.get(X_REAL_IP));
            if (a != null) {
                return a;
            }
        }
        if (trustForwardedFor) {
            String v = headers.get(X_FORWARDED_FOR);
            if (v != null) {
                int comma = v.indexOf(',');
                InetAddress a = parse(comma < 0 ? v : v.substring(0, comma));
                if (a != null) {
                    return a;
                }
            }
        }
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return null;
    }

    private static InetAddress parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return IpLiterals.parse(value.trim());
        } catch (IllegalArgumentException notAnIp) {
            return null;
        }
    }
}
