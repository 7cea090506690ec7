package dev.kubespan.discovery.server.internal.grpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kubespan.discovery.server.internal.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** The standard {@code grpc_server_*} metrics: started, handled by code, messages, handling time. */
public final class MetricsInterceptor implements ServerInterceptor {
    private final ServerMetrics metrics;
    /** The samples of each method, bound on its first call (only the service's methods reach an interceptor). */
    private final Map<String, ServerMetrics.GrpcMethod> byMethod = new ConcurrentHashMap<>();

    public MetricsInterceptor(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        ServerMetrics.GrpcMethod samples = byMethod.computeIfAbsent(call.getMethodDescriptor().getFullMethodName(),
                name -> samplesOf(call.getMethodDescriptor()));
        samples.started.increment();
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                samples.sent.increment();
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                samples.handled(status.getCode(), codeLabel(status.getCode()), (System.nanoTime() - start) / 1e9);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
            @Override
            public void onMessage(Q message) {
                samples.received.increment();
                super.onMessage(message);
            }
        };
    }

    private ServerMetrics.GrpcMethod samplesOf(MethodDescriptor<?, ?> m) {
        return metrics.grpcMethod(typeLabel(m.getType()), m.getServiceName() == null ? "" : m.getServiceName(),
                m.getBareMethodName() == null ? "" : m.getBareMethodName());
    }

    private static String typeLabel(MethodDescriptor.MethodType t) {
        return switch (t) {
            case UNARY -> "unary";
            case SERVER_STREAMING -> "server_stream";
            case CLIENT_STREAMING -> "client_stream";
            case BIDI_STREAMING -> "bidi_stream";
            default -> "unknown";
        };
    }

    private static final java.util.Map<Status.Code, String> CODE_LABELS = new java.util.EnumMap<>(Status.Code.class);

    static {
        for (Status.Code c : Status.Code.values()) {
            CODE_LABELS.put(c, goName(c));
        }
    }

    /** The code as Go's grpc names it ({@code OK}, {@code ResourceExhausted}, {@code Canceled}), as dashboards expect. */
    static String codeLabel(Status.Code code) {
        return CODE_LABELS.get(code);
    }

    private static String goName(Status.Code code) {
        if (code == Status.Code.OK) {
            return "OK";
        }
        if (code == Status.Code.CANCELLED) {
            return "Canceled";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : code.name().split("_")) {
            sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return sb.toString();
    }
}
