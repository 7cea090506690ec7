package dev.kubespan.discovery.server.internal.state.etcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import dev.kubespan.discovery.grpc.etcd.AuthGrpc;
import dev.kubespan.discovery.grpc.etcd.AuthenticateRequest;
import dev.kubespan.discovery.grpc.etcd.KVGrpc;
import dev.kubespan.discovery.grpc.etcd.LeaseGrantRequest;
import dev.kubespan.discovery.grpc.etcd.LeaseGrantResponse;
import dev.kubespan.discovery.grpc.etcd.LeaseGrpc;
import dev.kubespan.discovery.grpc.etcd.TxnRequest;
import dev.kubespan.discovery.grpc.etcd.TxnResponse;
import dev.kubespan.discovery.grpc.etcd.WatchGrpc;
import dev.kubespan.discovery.grpc.etcd.WatchRequest;
import dev.kubespan.discovery.grpc.etcd.WatchResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/**
 * etcd's v3 gRPC API over one channel spread across the members (round robin: a member that
 * dies is skipped). With a user configured it authenticates and sends the token with every
 * call, and authenticates again when etcd says the token is no longer valid.
 */
final class EtcdClient implements AutoCloseable {
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

    private final EtcdSettings settings;
    private final OwnedChannel channel;
    private volatile String token;

    EtcdClient(EtcdSettings settings) throws IOException {
        this.settings = settings;
        OwnedChannel.Builder b = OwnedChannel.forAddresses(settings.resolvedEndpoints())
                .threadNamePrefix("discovery-etcd")
                .maxInboundMessageSize(64 * 1024 * 1024)
                .intercept(new TokenInterceptor());
        if (!settings.tls()) {
            b.plaintext();
        } else {
            if (settings.caFile() != null) {
                b.trustedCa(settings.caFile());
            }
            if (settings.certFile() != null) {
                b.clientCertificate(settings.certFile(), settings.keyFile());
            }
        }
        this.channel = b.build();
    }

    /** A read or write transaction; retried once after re-authentication. */
    TxnResponse txn(TxnRequest request) {
        return call((c, deadline) -> KVGrpc.newBlockingStub(c).withDeadline(deadline).txn(request));
    }

    /** Grants a lease; {@code id} 0 lets etcd choose. */
    LeaseGrantResponse leaseGrant(long id, long ttlSeconds) {
        return call((c, deadline) -> LeaseGrpc.newBlockingStub(c).withDeadline(deadline)
                .leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttlSeconds).build()));
    }

    /** Opens a watch stream; the caller sends the create request on the returned observer. */
    StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ensureToken();
        return WatchGrpc.newStub(channel.channel()).watch(responses);
    }

    /** Forgets the token (a watch stream failed with an authentication error). */
    void invalidateToken() {
        token = null;
    }

    /**
     * Runs a call within the request timeout, in attempts of at most a third of it: an attempt
     * that etcd answers UNAVAILABLE (a member died) or that does not finish in time (a request
     * caught in a leader election waits ~7 s inside etcd) is repeated until the timeout has
     * passed. Every call we make is safe to repeat: reads, lease grants with our own IDs,
     * deletes, and transactions guarded by revisions.
     */
    private <T> T call(java.util.function.BiFunction<Channel, io.grpc.Deadline, T> call) {
        long start = System.nanoTime();
        long budget = settings.requestTimeout().toNanos();
        long attemptMax = Math.max(TimeUnit.MILLISECONDS.toNanos(500), budget / 3);
        long pause = 50;
        boolean reauthenticated = false;
        while (true) {
            ensureToken();
            long left = budget - (System.nanoTime() - start);
            try {
                return call.apply(channel.channel(),
                        io.grpc.Deadline.after(Math.max(1, Math.min(left, attemptMax)), TimeUnit.NANOSECONDS));
            } catch (StatusRuntimeException e) {
                if (settings.user() != null && !reauthenticated && isAuthFailure(e)) {
                    token = null;
                    reauthenticated = true;
                    continue;
                }
                Status.Code code = e.getStatus().getCode();
                boolean retriable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
                if (!retriable || System.nanoTime() - start + pause * 1_000_000 >= budget) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
            pause = Math.min(pause * 2, 500);
        }
    }

    static boolean isAuthFailure(StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED
                || (d != null && (d.contains("invalid auth token") || d.contains("user name is empty")));
    }

    private void ensureToken() {
        if (settings.user() == null || settings.user().isBlank() || token != null) {
            return;
        }
        synchronized (this) {
            if (token != null) {
                return;
            }
            String password;
            try {
                password = settings.passwordFile() == null ? ""
                        : Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw Status.UNAUTHENTICATED
                        .withDescription("cannot read the etcd password file " + settings.passwordFile() + ": "
                                + e.getMessage())
                        .asRuntimeException();
            }
            token = AuthGrpc.newBlockingStub(channel.channel())
                    .withDeadlineAfter(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .authenticate(AuthenticateRequest.newBuilder().setName(settings.user()).setPassword(password).build())
                    .getToken();
        }
    }

    /** Adds the auth token to every call except Authenticate itself. */
    private final class TokenInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    String t = token;
                    if (t != null && !method.getFullMethodName().endsWith("/Authenticate")) {
                        headers.put(TOKEN, t);
                    }
                    super.start(listener, headers);
                }
            };
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
