package dev.kubespan.discovery.grpc.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
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

    private OwnedChannel(Builder b) throws IOException {
        ChannelCredentials creds;
        if (b.plaintext) {
            creds = InsecureChannelCredentials.create();
        } else if (b.caFile != null) {
            creds = TlsChannelCredentials.newBuilder().trustManager(b.caFile.toFile()).build();
        } else {
            creds = TlsChannelCredentials.create();
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
