package dev.kubespan.discovery.server.internal.grpc;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateDeleteRequest;
import dev.kubespan.discovery.grpc.server.AffiliateDeleteResponse;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateResponse;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.discovery.grpc.server.ListResponse;
import dev.kubespan.discovery.grpc.server.RedirectMessage;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.server.internal.metrics.ServerMetrics;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.StateBackend;
import dev.kubespan.discovery.server.internal.state.StateException;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/** The {@code sidero.discovery.server.Cluster} service over a {@link StateBackend}. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final StateBackend state;
    private final ServerMetrics metrics;
    private final String redirectEndpoint;
    private final ScheduledExecutorService fanOut;

    /**
     * {@code redirectEndpoint} null or blank: Hello never redirects. Watch deliveries run on
     * {@code fanOut}, off the threads of the calls that change the state.
     */
    public ClusterService(StateBackend state, ServerMetrics metrics, String redirectEndpoint,
            ScheduledExecutorService fanOut) {
        this.state = state;
        this.metrics = metrics;
        this.redirectEndpoint = redirectEndpoint == null || redirectEndpoint.isBlank() ? null : redirectEndpoint.trim();
        this.fanOut = fanOut;
    }

    /**
     * The generated definition, except that Watch responses may also be pre-serialized bytes
     * ({@link SerializedResponse}): the wire format and the method names stay the same.
     */
    public ServerServiceDefinition definition() {
        ServerServiceDefinition generated = bindService();
        MethodDescriptor<WatchRequest, Object> watch = ClusterGrpc.getWatchMethod()
                .toBuilder(ClusterGrpc.getWatchMethod().getRequestMarshaller(), SerializedResponse.MARSHALLER).build();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(ClusterGrpc.SERVICE_NAME)
                .setSchemaDescriptor(ClusterGrpc.getServiceDescriptor().getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
            descriptor.addMethod(m.getMethodDescriptor().getFullMethodName().equals(watch.getFullMethodName()) ? watch
                    : m.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(watch.getFullMethodName())) {
                b.addMethod(m);
            }
        }
        b.addMethod(watch, ServerCalls.asyncServerStreamingCall(this::watchSerialized));
        return b.build();
    }

    @Override
    public void hello(HelloRequest request, StreamObserver<HelloResponse> out) {
        try {
            state.touch(request.getClusterId());
            metrics.hello(request.getClientVersion());
            HelloResponse.Builder r = HelloResponse.newBuilder();
            if (redirectEndpoint != null) {
                r.setRedirect(RedirectMessage.newBuilder().setEndpoint(redirectEndpoint));
            }
            InetAddress ip = ClientAddressInterceptor.CLIENT_IP.get();
            if (ip != null) {
                r.setClientIp(ByteString.copyFrom(ip.getAddress()));
            }
            out.onNext(r.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e));
        }
    }

    @Override
    public void affiliateUpdate(AffiliateUpdateRequest request, StreamObserver<AffiliateUpdateResponse> out) {
        try {
            byte[] data = request.hasAffiliateData() ? request.getAffiliateData().toByteArray() : null;
            List<byte[]> endpoints = new ArrayList<>(request.getAffiliateEndpointsCount());
            for (ByteString e : request.getAffiliateEndpointsList()) {
                endpoints.add(e.toByteArray());
            }
            Duration ttl = request.hasTtl() ? Messages.ttl(request.getTtl()) : Duration.ZERO;
            state.update(request.getClusterId(), request.getAffiliateId(), data, endpoints, ttl);
            out.onNext(AffiliateUpdateResponse.getDefaultInstance());
            out.onCompleted();
        } catch (RuntimeException e) {
            if (e instanceof StateException se && se.limit() != null) {
                metrics.limitReached(se.limit());
            }
            out.onError(Statuses.of(e));
        }
    }

    @Override
    public void affiliateDelete(AffiliateDeleteRequest request, StreamObserver<AffiliateDeleteResponse> out) {
        try {
            state.delete(request.getClusterId(), request.getAffiliateId());
            out.onNext(AffiliateDeleteResponse.getDefaultInstance());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e));
        }
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> out) {
        try {
            ListResponse.Builder r = ListResponse.newBuilder();
            for (AffiliateView a : state.list(request.getClusterId())) {
                r.addAffiliates(Messages.affiliate(a));
            }
            out.onNext(r.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e));
        }
    }

    /** Not bound: {@link #definition()} binds {@link #watchSerialized} instead. */
    @Override
    public void watch(WatchRequest request, StreamObserver<WatchResponse> out) {
        throw new UnsupportedOperationException("bound through definition()");
    }

    private void watchSerialized(WatchRequest request, StreamObserver<Object> out) {
        try {
            WatchStream.start(state, request.getClusterId(), (ServerCallStreamObserver<Object>) out, fanOut);
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e));
        }
    }
}
