package dev.kubespan.discovery.service.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.Affiliate;
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
import dev.kubespan.discovery.grpc.transport.OwnedServer;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * A minimal in-test implementation of the discovery service (docs/discovery-protocol.md §4.2, §4.4, §4.5) over real gRPC on
 * 127.0.0.1: merge-on-update (endpoints are only ever added: no per-endpoint expiry here), snapshot-then-deltas Watch, deletion events, client IP in Hello,
 * optional redirect. No TTL expiry, rate limits or size limits: only what the client tests need,
 * plus hooks to break things (abort watches, lose an update, restart on the same port). Not the
 * project's server; the cross-module test against that one belongs to the integrator.
 */
final class TestClusterServer implements AutoCloseable {
    private static final Context.Key<SocketAddress> REMOTE = Context.key("remote");

    private final Object lock = new Object();
    private final Map<String, Map<String, Stored>> clusters = new HashMap<>();
    private final Map<String, List<ServerCallStreamObserver<WatchResponse>>> watchers = new HashMap<>();
    private final List<AffiliateUpdateRequest> updates = new ArrayList<>();
    private final List<AffiliateDeleteRequest> deletes = new ArrayList<>();
    private final Path certPem;
    private final Path keyPem;
    private volatile String redirect;
    private volatile int hellos;
    private OwnedServer server;
    private int port;

    private static final class Stored {
        ByteString data = ByteString.EMPTY;
        final LinkedHashSet<ByteString> endpoints = new LinkedHashSet<>();

        Affiliate toWire(String id) {
            return Affiliate.newBuilder().setId(id).setData(data).addAllEndpoints(endpoints).build();
        }
    }

    TestClusterServer() {
        this(null, null);
    }

    /** With TLS when both PEM files are given. */
    TestClusterServer(Path certPem, Path keyPem) {
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    TestClusterServer start() throws IOException {
        return startOn(0);
    }

    /** Starts again on the port it had (state is lost, as with a restarted server without snapshots). */
    TestClusterServer restart() throws IOException {
        synchronized (lock) {
            clusters.clear();
        }
        return startOn(port);
    }

    private TestClusterServer startOn(int p) throws IOException {
        OwnedServer.Builder b = OwnedServer.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))
                .addService(new Service())
                .intercept(new ServerInterceptor() {
                    @Override
                    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                            ServerCallHandler<Q, R> next) {
                        Context ctx = Context.current().withValue(REMOTE,
                                call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                        return Contexts.interceptCall(ctx, call, headers, next);
                    }
                })
                .permitKeepAliveTime(java.time.Duration.ofSeconds(10))
                .shutdownGrace(java.time.Duration.ofMillis(200))
                .threadNamePrefix("test-discovery-server");
        if (certPem != null) {
            b.tls(certPem, keyPem);
        }
        server = b.start();
        port = server.port();
        return this;
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "127.0.0.1:" + port;
    }

    void redirectTo(String endpoint) {
        this.redirect = endpoint;
    }

    int hellos() {
        return hellos;
    }

    /** Ends every Watch with ABORTED, like the reference server on a subscriber buffer overflow. */
    void abortWatches() {
        synchronized (lock) {
            for (List<ServerCallStreamObserver<WatchResponse>> l : watchers.values()) {
                for (ServerCallStreamObserver<WatchResponse> o : l) {
                    o.onError(Status.ABORTED.withDescription("subscription canceled: lost update").asRuntimeException());
                }
                l.clear();
            }
        }
    }

    /** Removes an affiliate without telling watchers: a lost update. */
    void removeSilently(String cluster, String id) {
        synchronized (lock) {
            clusters.getOrDefault(cluster, Map.of()).remove(id);
        }
    }

    Map<String, Affiliate> affiliates(String cluster) {
        synchronized (lock) {
            Map<String, Affiliate> out = new LinkedHashMap<>();
            clusters.getOrDefault(cluster, Map.of()).forEach((id, s) -> out.put(id, s.toWire(id)));
            return out;
        }
    }

    List<AffiliateUpdateRequest> updates() {
        synchronized (lock) {
            return List.copyOf(updates);
        }
    }

    List<AffiliateDeleteRequest> deletes() {
        synchronized (lock) {
            return List.copyOf(deletes);
        }
    }

    /** Stops and waits for its threads; open Watch streams end. */
    @Override
    public void close() {
        synchronized (lock) {
            for (List<ServerCallStreamObserver<WatchResponse>> l : watchers.values()) {
                for (ServerCallStreamObserver<WatchResponse> o : l) {
                    try {
                        o.onCompleted();
                    } catch (RuntimeException closed) {
                        // already cancelled by the client
                    }
                }
                l.clear();
            }
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private void broadcast(String cluster, WatchResponse msg) {
        List<ServerCallStreamObserver<WatchResponse>> l = watchers.get(cluster);
        if (l == null) {
            return;
        }
        l.removeIf(ServerCallStreamObserver::isCancelled);
        l.removeIf(o -> {
            try {
                o.onNext(msg);
                return false;
            } catch (RuntimeException gone) {
                return true;
            }
        });
    }

    private final class Service extends ClusterGrpc.ClusterImplBase {
        @Override
        public void hello(HelloRequest request, StreamObserver<HelloResponse> response) {
            hellos++;
            HelloResponse.Builder b = HelloResponse.newBuilder();
            SocketAddress remote = REMOTE.get();
            if (remote instanceof InetSocketAddress isa) {
                b.setClientIp(ByteString.copyFrom(isa.getAddress().getAddress()));
            }
            String r = redirect;
            if (r != null) {
                b.setRedirect(RedirectMessage.newBuilder().setEndpoint(r));
            }
            response.onNext(b.build());
            response.onCompleted();
        }

        @Override
        public void affiliateUpdate(AffiliateUpdateRequest request, StreamObserver<AffiliateUpdateResponse> response) {
            synchronized (lock) {
                updates.add(request);
                Map<String, Stored> cluster = clusters.computeIfAbsent(request.getClusterId(), k -> new HashMap<>());
                boolean isNew = !cluster.containsKey(request.getAffiliateId());
                Stored s = cluster.computeIfAbsent(request.getAffiliateId(), k -> new Stored());
                boolean changed = false;
                if (!request.getAffiliateData().isEmpty()) {
                    s.data = request.getAffiliateData();
                    changed = true;
                }
                for (ByteString e : request.getAffiliateEndpointsList()) {
                    changed |= s.endpoints.add(e);
                }
                if (isNew || changed) {
                    broadcast(request.getClusterId(), WatchResponse.newBuilder()
                            .addAffiliates(s.toWire(request.getAffiliateId())).build());
                }
            }
            response.onNext(AffiliateUpdateResponse.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public void affiliateDelete(AffiliateDeleteRequest request, StreamObserver<AffiliateDeleteResponse> response) {
            synchronized (lock) {
                deletes.add(request);
                Map<String, Stored> cluster = clusters.get(request.getClusterId());
                if (cluster != null && cluster.remove(request.getAffiliateId()) != null) {
                    broadcast(request.getClusterId(), WatchResponse.newBuilder().setDeleted(true)
                            .addAffiliates(Affiliate.newBuilder().setId(request.getAffiliateId())).build());
                }
            }
            response.onNext(AffiliateDeleteResponse.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public void list(ListRequest request, StreamObserver<ListResponse> response) {
            response.onNext(ListResponse.newBuilder().addAllAffiliates(affiliates(request.getClusterId()).values())
                    .build());
            response.onCompleted();
        }

        @Override
        public void watch(WatchRequest request, StreamObserver<WatchResponse> response) {
            ServerCallStreamObserver<WatchResponse> o = (ServerCallStreamObserver<WatchResponse>) response;
            synchronized (lock) {
                WatchResponse.Builder snapshot = WatchResponse.newBuilder();
                clusters.getOrDefault(request.getClusterId(), Map.of())
                        .forEach((id, s) -> snapshot.addAffiliates(s.toWire(id)));
                o.onNext(snapshot.build());
                watchers.computeIfAbsent(request.getClusterId(), k -> new ArrayList<>()).add(o);
            }
        }
    }
}
