package dev.kubespan.discovery.grpc.transport;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
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
        return new NamedThreads(prefix);
    }

    /**
     * The threads each event loop group or pool was given, so its shutdown can wait for them to
     * end: termination is signalled from those threads just before they exit.
     */
    private static final Map<Object, NamedThreads> THREADS = Collections.synchronizedMap(new WeakHashMap<>());

    static EventLoopGroup nioGroup(int threads, String prefix) {
        return nioGroup(threads, prefix, null);
    }

    /** With a {@code sink}, the group's threads report the connection failures grpc logs on them to it. */
    static EventLoopGroup nioGroup(int threads, String prefix, TransportEvents sink) {
        NamedThreads factory = new NamedThreads(prefix);
        ThreadFactory threadsOfGroup = sink == null ? factory : TransportFailureLog.reportingTo(sink, factory);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, threadsOfGroup, NioIoHandler.newFactory());
        THREADS.put(group, factory);
        return group;
    }

    /** Unbounded cached pool: for handlers that may block, so they must not starve each other. */
    static ExecutorService cachedPool(String prefix) {
        NamedThreads factory = new NamedThreads(prefix);
        ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
        THREADS.put(pool, factory);
        return pool;
    }

    /**
     * At most {@code threads} threads, the rest of the work queued: for handlers that never block,
     * so a flood of calls costs queue entries instead of threads. Idle threads end after 30 s.
     */
    static ExecutorService boundedPool(int threads, String prefix) {
        NamedThreads factory = new NamedThreads(prefix);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        THREADS.put(pool, factory);
        return pool;
    }

    private static void joinThreadsOf(Object owner, Duration timeout) throws InterruptedException {
        NamedThreads threads = THREADS.remove(owner);
        if (threads != null) {
            threads.join(timeout);
        }
    }

    static void shutdownGroup(EventLoopGroup group, Duration timeout) {
        if (group == null) {
            return;
        }
        try {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(timeout.toMillis());
            joinThreadsOf(group, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger n = new AtomicInteger();
        private final List<Thread> created = new CopyOnWriteArrayList<>();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            created.add(t);
            return t;
        }

        void join(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Thread t : created) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    t.join(left);
                }
            }
        }
    }

    static void shutdownPool(ExecutorService pool, Duration timeout) {
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            joinThreadsOf(pool, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
