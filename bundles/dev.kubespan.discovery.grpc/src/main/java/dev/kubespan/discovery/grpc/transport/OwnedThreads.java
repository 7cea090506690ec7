package dev.kubespan.discovery.grpc.transport;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;

/**
 * Thread pools owned by one server or channel. grpc's shared default pools are released
 * asynchronously, after a bundle's wiring may already be gone; owning them lets close() wait
 * until every thread has ended.
 */
final class OwnedThreads {
    private OwnedThreads() {
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static EventLoopGroup nioGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, named(prefix), NioIoHandler.newFactory());
    }

    /** Unbounded cached pool: call handlers may wait (rate limiting), so they must not starve each other. */
    static ExecutorService cachedPool(String prefix) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                named(prefix));
    }

    static void shutdownGroup(EventLoopGroup group, Duration timeout) {
        if (group == null) {
            return;
        }
        try {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void shutdownPool(ExecutorService pool, Duration timeout) {
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
