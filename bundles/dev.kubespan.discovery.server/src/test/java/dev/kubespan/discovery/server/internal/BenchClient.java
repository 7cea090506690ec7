package dev.kubespan.discovery.server.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The client side of {@link DiscoveryServerBenchmark}: a measuring instrument that must cost the
 * server's core nothing and its own core little, so that the figures are the server's. Same wire
 * as any client (the generated method names, protobuf bytes, h2c), but every request is
 * serialized before the clock starts and sent as bytes, responses stay bytes, and all
 * connections share one event loop thread on which every callback runs (no hand-off to an
 * executor per message). A pipeline is driven by its completions: the call that ends starts the
 * next one on the same thread, with no sender thread to wake.
 */
final class BenchClient implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    /** Bytes in, bytes out: the message is whatever the caller encoded. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new Encoded(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    // grpc's messages know their length: readAllBytes() would allocate 8 KiB per
                    // message (even for an empty response), which showed as the client's top item.
                    int n = stream.available();
                    if (n == 0) {
                        return EMPTY;
                    }
                    byte[] b = new byte[n];
                    if (stream.readNBytes(b, 0, n) == n) {
                        return b;
                    }
                    throw new IOException("message shorter than announced");
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> UPDATE = ClusterGrpc.getAffiliateUpdateMethod().toBuilder(BYTES, BYTES)
            .build();
    static final MethodDescriptor<byte[], byte[]> WATCH = ClusterGrpc.getWatchMethod().toBuilder(BYTES, BYTES).build();

    /** Lets the framer take the length and the bytes without copying them through a buffer first. */
    private static final class Encoded extends ByteArrayInputStream implements KnownLength, Drainable {
        Encoded(byte[] b) {
            super(b);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }

    private final String target;
    private final EventLoopGroup loop;
    private final List<ManagedChannel> channels = new ArrayList<>();

    BenchClient(int port) {
        this.target = "127.0.0.1:" + port;
        AtomicInteger n = new AtomicInteger();
        this.loop = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "bench-client-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
    }

    /** A new connection (made on its first call), on the shared event loop. */
    synchronized ManagedChannel connect() {
        ManagedChannel c = NettyChannelBuilder.forTarget(target).usePlaintext().eventLoopGroup(loop)
                .channelType(NioSocketChannel.class).directExecutor().maxInboundMessageSize(64 * 1024 * 1024).build();
        channels.add(c);
        return c;
    }

    /** Closes these connections (the event loop stays for the next ones). */
    void disconnect(List<ManagedChannel> some) throws InterruptedException {
        for (ManagedChannel c : some) {
            c.shutdownNow();
        }
        for (ManagedChannel c : some) {
            c.awaitTermination(10, TimeUnit.SECONDS);
        }
        synchronized (this) {
            channels.removeAll(some);
        }
    }

    @Override
    public void close() {
        try {
            disconnect(new ArrayList<>(channels));
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One AffiliateUpdate of pre-encoded bytes; {@code done} gets its status. */
    static void update(ManagedChannel channel, byte[] request, java.util.function.Consumer<Status> done) {
        ClientCall<byte[], byte[]> call = channel.newCall(UPDATE, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<byte[]>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                done.accept(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
    }

    /** A Watch whose responses go to {@code onMessage} as bytes, on the event loop thread. */
    static ClientCall<byte[], byte[]> watch(ManagedChannel channel, byte[] request, ClientCall.Listener<byte[]> listener) {
        ClientCall<byte[], byte[]> call = channel.newCall(WATCH, CallOptions.DEFAULT);
        call.start(listener, new Metadata());
        call.request(Integer.MAX_VALUE); // a watcher reads whatever comes, as soon as it comes
        call.sendMessage(request);
        call.halfClose();
        return call;
    }

    /**
     * Sends every request, {@code window} calls in flight per connection, each connection taking
     * the next request when one of its calls ends; at most {@code perSecond} in all when positive
     * (a call not yet due is started by a timer on the event loop). Returns the failures.
     */
    int pipelined(List<ManagedChannel> connections, List<byte[]> requests, int window, double perSecond)
            throws InterruptedException {
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<Status> firstFailure = new AtomicReference<>();
        CountDownLatch lanesDone = new CountDownLatch(connections.size() * window);
        for (ManagedChannel c : connections) {
            for (int w = 0; w < window; w++) {
                new Lane(c, requests, next, perSecond, start, failures, firstFailure, lanesDone).next();
            }
        }
        if (!lanesDone.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("pipeline did not finish");
        }
        if (firstFailure.get() != null) {
            System.out.println("  (" + failures.get() + " failed; first: " + firstFailure.get() + ")");
        }
        return failures.get();
    }

    /** One call slot of a pipeline: sends a request, and when it ends, the next one. */
    private final class Lane {
        private final ManagedChannel channel;
        private final List<byte[]> requests;
        private final AtomicInteger next;
        private final double perSecond;
        private final long start;
        private final AtomicInteger failures;
        private final AtomicReference<Status> firstFailure;
        private final CountDownLatch done;

        Lane(ManagedChannel channel, List<byte[]> requests, AtomicInteger next, double perSecond, long start,
                AtomicInteger failures, AtomicReference<Status> firstFailure, CountDownLatch done) {
            this.channel = channel;
            this.requests = requests;
            this.next = next;
            this.perSecond = perSecond;
            this.start = start;
            this.failures = failures;
            this.firstFailure = firstFailure;
            this.done = done;
        }

        void next() {
            int i = next.getAndIncrement();
            if (i >= requests.size()) {
                done.countDown();
                return;
            }
            if (perSecond > 0) {
                long wait = start + (long) (i * 1e9 / perSecond) - System.nanoTime();
                if (wait > 0) {
                    loop.schedule(() -> send(i), wait, TimeUnit.NANOSECONDS);
                    return;
                }
            }
            send(i);
        }

        private void send(int i) {
            update(channel, requests.get(i), status -> {
                if (status.isOk()) {
                    next();
                    return;
                }
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, status);
                // A call that fails at once may end inside send(): start the next one later, not
                // nested, so a dead connection cannot grow the stack.
                loop.execute(this::next);
            });
        }
    }
}
