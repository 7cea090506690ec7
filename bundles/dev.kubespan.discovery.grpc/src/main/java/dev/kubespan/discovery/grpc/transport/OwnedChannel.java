package dev.kubespan.discovery.grpc.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.grpc.Attributes;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.EquivalentAddressGroup;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

/**
 * A gRPC channel (netty, NIO) with its own event loop and executors. TLS with the JDK trust
 * store by default, TLS with a given CA, or plaintext h2c. {@link #close()} returns only after
 * every thread of the channel has ended.
 */
public final class OwnedChannel implements AutoCloseable {
    private static final Duration THREAD_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final ManagedChannel channel;
    private final EventLoopGroup group;
    private final ExecutorService executor;
    private final ExecutorService offload;
    private final String target;

    // nameResolverFactory is deprecated for the global NameResolverRegistry, which NettyChannelBuilder
    // offers no per-channel way to replace: a provider registered there would outlive a bundle
    // update and pin this bundle's class loader. A per-channel factory has no such lifetime.
    @SuppressWarnings("deprecation")
    private OwnedChannel(Builder b) throws IOException {
        ChannelCredentials creds;
        if (b.plaintext) {
            creds = InsecureChannelCredentials.create();
        } else {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            if (b.caFile != null) {
                tls.trustManager(b.caFile.toFile());
            }
            if (b.clientCertificate != null) {
                tls.keyManager(b.clientCertificate.toFile(), b.clientKey.toFile());
            }
            creds = tls.build();
        }
        EventLoopGroup g = OwnedThreads.nioGroup(1, b.threadNamePrefix + "-io");
        ExecutorService exec = OwnedThreads.cachedPool(b.threadNamePrefix + "-call");
        ExecutorService off = OwnedThreads.cachedPool(b.threadNamePrefix + "-offload");
        try {
            NettyChannelBuilder nb = NettyChannelBuilder.forTarget(b.target, creds)
                    .eventLoopGroup(g)
                    .channelType(NioSocketChannel.class)
                    .executor(exec)
                    .offloadExecutor(off)
                    .maxInboundMessageSize(b.maxInboundMessageSize);
            if (b.overrideAuthority != null) {
                nb.overrideAuthority(b.overrideAuthority);
            }
            if (b.addresses != null) {
                nb.nameResolverFactory(new StaticAddresses(b.addresses)).defaultLoadBalancingPolicy("round_robin");
            }
            if (b.keepAliveTime != null) {
                nb.keepAliveTime(b.keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                        .keepAliveWithoutCalls(b.keepAliveWithoutCalls);
            }
            if (b.userAgent != null) {
                nb.userAgent(b.userAgent);
            }
            if (!b.interceptors.isEmpty()) {
                nb.intercept(b.interceptors);
            }
            this.channel = nb.build();
        } catch (RuntimeException e) {
            OwnedThreads.shutdownGroup(g, THREAD_STOP_TIMEOUT);
            OwnedThreads.shutdownPool(exec, THREAD_STOP_TIMEOUT);
            OwnedThreads.shutdownPool(off, THREAD_STOP_TIMEOUT);
            throw e;
        }
        this.group = g;
        this.executor = exec;
        this.offload = off;
        this.target = b.target;
    }

    /** Starts building a channel to a gRPC target such as {@code host:port}. */
    public static Builder forTarget(String target) {
        return new Builder(target);
    }

    /**
     * Starts building a channel spread over several servers of one service (round robin; a server
     * that fails is skipped until it answers again). With TLS each server's certificate is checked
     * against its own host name.
     */
    public static Builder forAddresses(List<InetSocketAddress> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address");
        }
        Builder b = new Builder("static:///" + authority(addresses.get(0)));
        b.addresses = List.copyOf(addresses);
        return b;
    }

    private static String authority(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The fixed address list of {@link #forAddresses}; each address its own group, with its own TLS authority. */
    private static final class StaticAddresses extends NameResolver.Factory {
        private final List<InetSocketAddress> addresses;

        StaticAddresses(List<InetSocketAddress> addresses) {
            this.addresses = addresses;
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            return new NameResolver() {
                @Override
                public String getServiceAuthority() {
                    return authority(addresses.get(0));
                }

                @Override
                public void start(Listener2 listener) {
                    List<EquivalentAddressGroup> groups = new ArrayList<>();
                    for (InetSocketAddress a : addresses) {
                        groups.add(new EquivalentAddressGroup(a, Attributes.newBuilder()
                                .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, authority(a)).build()));
                    }
                    listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(
                            io.grpc.StatusOr.fromValue(groups)).build());
                }

                @Override
                public void shutdown() {
                }
            };
        }

        @Override
        public String getDefaultScheme() {
            return "static";
        }
    }

    /** The channel to build stubs on; it becomes unusable once this object is closed. */
    public ManagedChannel channel() {
        return channel;
    }

    public String target() {
        return target;
    }

    /** Cancels outstanding calls, closes the connection and waits for every thread to end. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(THREAD_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        OwnedThreads.shutdownGroup(group, THREAD_STOP_TIMEOUT);
        OwnedThreads.shutdownPool(executor, THREAD_STOP_TIMEOUT);
        OwnedThreads.shutdownPool(offload, THREAD_STOP_TIMEOUT);
    }

    /** Options of an {@link OwnedChannel}. */
    public static final class Builder {
        private final String target;
        private final List<ClientInterceptor> interceptors = new ArrayList<>();
        private boolean plaintext;
        private Path caFile;
        private Path clientCertificate;
        private Path clientKey;
        private List<InetSocketAddress> addresses;
        private String overrideAuthority;
        private Duration keepAliveTime;
        private boolean keepAliveWithoutCalls;
        private String userAgent;
        private int maxInboundMessageSize = 16 * 1024 * 1024;
        private String threadNamePrefix = "grpc-channel";

        private Builder(String target) {
            this.target = Objects.requireNonNull(target, "target");
        }

        /** Plaintext HTTP/2 with prior knowledge (h2c), for {@code http://} endpoints. */
        public Builder plaintext() {
            this.plaintext = true;
            this.caFile = null;
            return this;
        }

        /** TLS trusting only the CA certificate(s) in this PEM file instead of the JDK trust store. */
        public Builder trustedCa(Path caPem) {
            this.caFile = Objects.requireNonNull(caPem, "caPem");
            this.plaintext = false;
            return this;
        }

        /** TLS client authentication with this certificate chain and PKCS#8 key (PEM files). */
        public Builder clientCertificate(Path certificateChainPem, Path keyPem) {
            this.clientCertificate = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
            this.clientKey = Objects.requireNonNull(keyPem, "keyPem");
            this.plaintext = false;
            return this;
        }

        /** Authority (TLS server name and :authority header) to use instead of the target's host. */
        public Builder overrideAuthority(String authority) {
            this.overrideAuthority = authority;
            return this;
        }

        /** Sends HTTP/2 pings at this interval (servers usually reject less than 10 s). */
        public Builder keepAliveTime(Duration time) {
            this.keepAliveTime = time;
            return this;
        }

        public Builder keepAliveWithoutCalls(boolean enable) {
            this.keepAliveWithoutCalls = enable;
            return this;
        }

        public Builder userAgent(String agent) {
            this.userAgent = agent;
            return this;
        }

        public Builder intercept(ClientInterceptor interceptor) {
            interceptors.add(interceptor);
            return this;
        }

        /** Largest response accepted (default 16 MiB: a full List of 1024 affiliates exceeds 4 MiB). */
        public Builder maxInboundMessageSize(int bytes) {
            this.maxInboundMessageSize = bytes;
            return this;
        }

        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = prefix;
            return this;
        }

        /** Creates the channel (it connects lazily, on the first call). */
        public OwnedChannel build() throws IOException {
            return new OwnedChannel(this);
        }
    }
}
