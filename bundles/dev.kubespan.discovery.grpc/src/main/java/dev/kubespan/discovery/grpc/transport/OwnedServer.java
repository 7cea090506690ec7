package dev.kubespan.discovery.grpc.transport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.util.AdvancedTlsX509KeyManager;

/**
 * A started gRPC server (netty, NIO) bound to one address, whose event loops and call executor
 * belong to it. {@link #close()} returns only after every one of its threads has ended, so a
 * component can call it from {@code @Deactivate} and leave nothing behind.
 */
public final class OwnedServer implements AutoCloseable {
    private static final Duration THREAD_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    private final ScheduledThreadPoolExecutor tlsReloader;
    private final AdvancedTlsX509KeyManager.Closeable tlsReload;
    private final InetSocketAddress address;
    private final boolean tls;
    private final Duration shutdownGrace;
    private final ConnectionLimits limits;
    private final boolean divertsLog;

    private OwnedServer(Builder b) throws IOException {
        String prefix = b.threadNamePrefix;
        ScheduledThreadPoolExecutor reloader = null;
        AdvancedTlsX509KeyManager.Closeable reload = null;
        EventLoopGroup bossGroup = null;
        EventLoopGroup workerGroup = null;
        ExecutorService calls = null;
        boolean divertsLog = false;
        try {
            ServerCredentials creds;
            if (b.certFile != null) {
                AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
                File key = b.keyFile.toFile();
                File cert = b.certFile.toFile();
                if (b.tlsReloadInterval != null) {
                    reloader = new ScheduledThreadPoolExecutor(1, OwnedThreads.named(prefix + "-tls-reload"));
                    reload = keys.updateIdentityCredentials(cert, key, b.tlsReloadInterval.toMillis(),
                            TimeUnit.MILLISECONDS, reloader);
                } else {
                    keys.updateIdentityCredentials(cert, key);
                }
                creds = TlsServerCredentials.newBuilder().keyManager(keys).build();
            } else {
                creds = InsecureServerCredentials.create();
            }
            bossGroup = OwnedThreads.nioGroup(1, prefix + "-boss");
            workerGroup = OwnedThreads.nioGroup(b.workerThreads, prefix + "-worker", b.events);
            if (!b.directCalls) {
                calls = b.callThreads > 0 ? OwnedThreads.boundedPool(b.callThreads, prefix + "-call")
                        : OwnedThreads.cachedPool(prefix + "-call");
            }
            ConnectionLimits limits = new ConnectionLimits(b.maxConnections, b.maxConnectionsPerAddress);
            TransportEvents events = b.events;
            NettyServerBuilder nb = NettyServerBuilder.forAddress(b.address, creds)
                    .bossEventLoopGroup(bossGroup)
                    .workerEventLoopGroup(workerGroup)
                    .channelFactory(() -> new AdmittingServerSocketChannel(limits, events))
                    .permitKeepAliveTime(b.permitKeepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                    .permitKeepAliveWithoutCalls(b.permitKeepAliveWithoutCalls)
                    .maxInboundMessageSize(b.maxInboundMessageSize);
            if (calls == null) {
                nb.directExecutor();
            } else {
                nb.executor(calls);
            }
            if (b.handshakeTimeout != null) {
                nb.handshakeTimeout(b.handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (b.maxConnectionIdle != null) {
                nb.maxConnectionIdle(b.maxConnectionIdle.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (b.keepAliveTime != null) {
                nb.keepAliveTime(b.keepAliveTime.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (b.keepAliveTimeout != null) {
                nb.keepAliveTimeout(b.keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (b.maxConcurrentCallsPerConnection > 0) {
                nb.maxConcurrentCallsPerConnection(b.maxConcurrentCallsPerConnection);
            }
            if (b.maxRstFrames > 0) {
                nb.maxRstFramesPerWindow(b.maxRstFrames, (int) Math.max(1, b.maxRstWindow.toSeconds()));
            }
            for (ServerServiceDefinition s : b.services) {
                nb.addService(s);
            }
            for (ServerInterceptor i : b.interceptors) {
                nb.intercept(i);
            }
            if (events != null) {
                TransportFailureLog.acquire();
                divertsLog = true;
            }
            this.limits = limits;
            Server started = nb.build().start();
            this.server = started;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (divertsLog) {
                TransportFailureLog.release();
            }
            closeQuietly(reload);
            OwnedThreads.shutdownPool(reloader, THREAD_STOP_TIMEOUT);
            OwnedThreads.shutdownGroup(bossGroup, THREAD_STOP_TIMEOUT);
            OwnedThreads.shutdownGroup(workerGroup, THREAD_STOP_TIMEOUT);
            OwnedThreads.shutdownPool(calls, THREAD_STOP_TIMEOUT);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof GeneralSecurityException gse) {
                throw new IOException("TLS certificate or key not usable: " + gse.getMessage(), gse);
            }
            throw (RuntimeException) e;
        }
        this.boss = bossGroup;
        this.workers = workerGroup;
        this.executor = calls;
        this.tlsReloader = reloader;
        this.tlsReload = reload;
        this.tls = b.certFile != null;
        this.shutdownGrace = b.shutdownGrace;
        this.divertsLog = divertsLog;
        // getPort() throws once terminated, so remember the bound address now.
        InetSocketAddress bound = (InetSocketAddress) server.getListenSockets().get(0);
        this.address = new InetSocketAddress(b.address.getAddress(), bound.getPort());
    }

    /** Starts building a server that listens on {@code address} (port 0 picks a free port). */
    public static Builder forAddress(InetSocketAddress address) {
        return new Builder(address);
    }

    /** The port actually bound. */
    public int port() {
        return address.getPort();
    }

    /** The bound address (with the actual port). */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Where the server runs its calls: its call pool, or the calling thread when calls run on
     * the event loops ({@link Builder#directCalls()}). For work that must run like a call of
     * this server, e.g. a call started late by the caller's own timer.
     */
    public Executor callExecutor() {
        ExecutorService pool = executor;
        return pool == null ? Runnable::run : pool;
    }

    /** Whether the server speaks TLS (otherwise h2c). */
    public boolean isTls() {
        return tls;
    }

    /** Connections open now (accepted and not yet closed). */
    public int connectionCount() {
        return limits.open();
    }

    public boolean isTerminated() {
        return server.isTerminated();
    }

    /**
     * Stops accepting calls, lets running calls finish for the shutdown grace period, cancels the
     * rest, then stops every thread of this server and waits for them.
     */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(THREAD_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        closeQuietly(tlsReload);
        OwnedThreads.shutdownPool(tlsReloader, THREAD_STOP_TIMEOUT);
        OwnedThreads.shutdownGroup(boss, THREAD_STOP_TIMEOUT);
        OwnedThreads.shutdownGroup(workers, THREAD_STOP_TIMEOUT);
        OwnedThreads.shutdownPool(executor, THREAD_STOP_TIMEOUT);
        if (divertsLog) {
            TransportFailureLog.release();
        }
    }

    private static void closeQuietly(AdvancedTlsX509KeyManager.Closeable c) {
        if (c != null) {
            c.close();
        }
    }

    /** Options of an {@link OwnedServer}; {@link #start()} binds and starts it. */
    public static final class Builder {
        private final InetSocketAddress address;
        private final List<ServerServiceDefinition> services = new ArrayList<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private Path certFile;
        private Path keyFile;
        private Duration tlsReloadInterval;
        private Duration permitKeepAliveTime = Duration.ofMinutes(5);
        private boolean permitKeepAliveWithoutCalls;
        private int workerThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int maxInboundMessageSize = 4 * 1024 * 1024;
        private Duration shutdownGrace = Duration.ofSeconds(2);
        private String threadNamePrefix = "grpc-server";
        private Duration handshakeTimeout;
        private Duration maxConnectionIdle;
        private Duration keepAliveTime;
        private Duration keepAliveTimeout;
        private int maxConcurrentCallsPerConnection;
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private int maxRstFrames;
        private Duration maxRstWindow;
        private int callThreads;
        private boolean directCalls;
        private TransportEvents events;

        private Builder(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
        }

        /** Serves TLS (1.2+, ALPN h2) with a PEM certificate chain and a PEM (PKCS#8) private key. */
        public Builder tls(Path certificatePem, Path privateKeyPem) {
            this.certFile = Objects.requireNonNull(certificatePem, "certificatePem");
            this.keyFile = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            return this;
        }

        /** Re-reads the certificate and key files at this interval when they changed (default: never). */
        public Builder tlsReloadInterval(Duration interval) {
            this.tlsReloadInterval = interval;
            return this;
        }

        public Builder addService(BindableService service) {
            services.add(service.bindService());
            return this;
        }

        public Builder addService(ServerServiceDefinition service) {
            services.add(service);
            return this;
        }

        /** Adds an interceptor for every call; the last added runs first. */
        public Builder intercept(ServerInterceptor interceptor) {
            interceptors.add(interceptor);
            return this;
        }

        /** Clients that ping more often than this are sent GOAWAY (too_many_pings). */
        public Builder permitKeepAliveTime(Duration time) {
            this.permitKeepAliveTime = time;
            return this;
        }

        public Builder permitKeepAliveWithoutCalls(boolean permit) {
            this.permitKeepAliveWithoutCalls = permit;
            return this;
        }

        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1");
            }
            this.workerThreads = threads;
            return this;
        }

        public Builder maxInboundMessageSize(int bytes) {
            this.maxInboundMessageSize = bytes;
            return this;
        }

        /** How long {@link OwnedServer#close()} lets running calls finish before cancelling them. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = grace;
            return this;
        }

        /** Prefix of this server's thread names. */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = prefix;
            return this;
        }

        /**
         * A new connection that has not completed its handshake (TLS, then the HTTP/2 preface and
         * settings) within this time is closed (grpc's default: 120 s).
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * A connection without any call for this long is closed gracefully (GOAWAY); its client
         * reconnects when it needs to (default: never).
         */
        public Builder maxConnectionIdle(Duration idle) {
            this.maxConnectionIdle = positive(idle, "maxConnectionIdle");
            return this;
        }

        /**
         * The server pings a connection that has been silent this long, and closes it when the ping
         * is not answered within {@code timeout}: a peer that vanished does not hold its calls forever.
         */
        public Builder keepAlive(Duration time, Duration timeout) {
            this.keepAliveTime = positive(time, "keepAlive time");
            this.keepAliveTimeout = positive(timeout, "keepAlive timeout");
            return this;
        }

        /** The HTTP/2 limit of concurrent calls on one connection; 0 = no limit (the default). */
        public Builder maxConcurrentCallsPerConnection(int calls) {
            this.maxConcurrentCallsPerConnection = notNegative(calls, "maxConcurrentCallsPerConnection");
            return this;
        }

        /**
         * Caps open connections in total and per peer address; a connection over a cap is reset as
         * soon as it is accepted. 0 = no cap (the default).
         */
        public Builder maxConnections(int total, int perAddress) {
            this.maxConnections = notNegative(total, "maxConnections");
            this.maxConnectionsPerAddress = notNegative(perAddress, "maxConnectionsPerAddress");
            return this;
        }

        /**
         * A connection whose client resets more than {@code frames} calls within {@code window} is
         * closed (HTTP/2 "rapid reset"); 0 frames = no limit (the default).
         */
        public Builder maxRstFramesPerWindow(int frames, Duration window) {
            this.maxRstFrames = notNegative(frames, "maxRstFramesPerWindow");
            this.maxRstWindow = positive(window, "rst window");
            return this;
        }

        /**
         * Runs calls on at most this many threads, queueing the rest: only for services whose
         * handlers never block. 0 (the default) = a thread per concurrently running call.
         */
        public Builder callThreads(int threads) {
            this.callThreads = notNegative(threads, "callThreads");
            return this;
        }

        /**
         * Runs every call on the event loop of its connection, with no hand-off to a call thread
         * (grpc's {@code directExecutor}): the cheapest way through the transport, and only for
         * services whose handlers never block, since a blocked handler stalls every connection
         * of its event loop. Overrides {@link #callThreads}.
         */
        public Builder directCalls() {
            this.directCalls = true;
            return this;
        }

        /**
         * Reports rejected and failed connections to {@code listener}, which then also replaces
         * grpc's own log record (with stack trace) of each failed connection.
         */
        public Builder transportEvents(TransportEvents listener) {
            this.events = listener;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        private static int notNegative(int n, String what) {
            if (n < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got " + n);
            }
            return n;
        }

        /** Binds and starts; on failure every thread already created is stopped again. */
        public OwnedServer start() throws IOException {
            return new OwnedServer(this);
        }
    }
}
