package dev.kubespan.net.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import dev.kubespan.api.Watch;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkSocket;

/**
 * Tells listeners that links or addresses changed, from the kernel's rtnetlink multicast
 * notifications (RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR) on a socket of its own.
 * A reader thread receives; notifications are coalesced: the first change schedules one
 * callback round after {@code coalesce}, and changes until then join it (a link coming up
 * brings a burst of link and address messages). Lost notifications (ENOBUFS) count as a change,
 * since listeners re-read the state anyway. Listeners run on a separate notifier thread, so a
 * slow listener never makes the kernel drop notifications.
 */
final class NetworkChangeMonitor implements AutoCloseable {
    static final int GROUPS = Rtnl.RTMGRP_LINK | Rtnl.RTMGRP_IPV4_IFADDR | Rtnl.RTMGRP_IPV6_IFADDR;
    /** How often the reader looks up from the socket to see whether it should stop. */
    static final Duration POLL = Duration.ofMillis(500);

    private final NetlinkSocket socket;
    private final Duration coalesce;
    private final BiConsumer<String, Throwable> onError;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor notifier;
    private final Thread reader;
    private volatile boolean running = true;

    /**
     * @param socket a NETLINK_ROUTE socket subscribed to {@link #GROUPS}; closed by {@link #close()}
     * @param onError receives failures of the reader and of listeners (for logging)
     */
    NetworkChangeMonitor(NetlinkSocket socket, Duration coalesce, BiConsumer<String, Throwable> onError) {
        this.socket = socket;
        this.coalesce = coalesce;
        this.onError = onError;
        this.notifier = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "kubespan-netlink-notify"));
        notifier.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.reader = daemon(this::readLoop, "kubespan-netlink-monitor");
        reader.start();
    }

    /** Opens the subscription socket in the caller's network namespace. */
    static NetworkChangeMonitor open(Duration coalesce, BiConsumer<String, Throwable> onError) {
        return new NetworkChangeMonitor(NetlinkSocket.subscribe(
                dev.kubespan.net.netlink.Netlink.NETLINK_ROUTE, GROUPS, POLL), coalesce, onError);
    }

    Watch addListener(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void readLoop() {
        while (running) {
            try {
                boolean changed = false;
                for (NetlinkMessage m : socket.receive()) {
                    int t = m.type();
                    changed |= t == Rtnl.RTM_NEWLINK || t == Rtnl.RTM_DELLINK || t == Rtnl.RTM_NEWADDR
                            || t == Rtnl.RTM_DELADDR;
                }
                if (changed) {
                    changed();
                }
            } catch (NetworkException e) {
                if (!running) {
                    return;
                }
                if (e.errno() == Errno.ENOBUFS) {
                    changed();
                } else {
                    onError.accept("netlink change monitor: receive failed", e);
                    pause();
                }
            } catch (RuntimeException e) {
                if (running) {
                    onError.accept("netlink change monitor: bad notification", e);
                    pause();
                }
            }
        }
    }

    private void changed() {
        if (pending.compareAndSet(false, true)) {
            try {
                notifier.schedule(this::notifyListeners, coalesce.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                pending.set(false);
            }
        }
    }

    private void notifyListeners() {
        pending.set(false);
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                onError.accept("network change listener failed", e);
            }
        }
    }

    /** Waits a little after a failure, so a persistent error cannot spin the CPU. */
    private void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops the reader, closes the socket (after the reader's last receive) and the notifier. */
    @Override
    public void close() {
        running = false;
        listeners.clear();
        socket.wakeUp();
        socket.close();
        try {
            reader.join(4 * POLL.toMillis());
            notifier.shutdownNow();
            notifier.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean readerAlive() {
        return reader.isAlive();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
