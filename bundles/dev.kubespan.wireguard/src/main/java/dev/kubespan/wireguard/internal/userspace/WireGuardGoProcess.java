package dev.kubespan.wireguard.internal.userspace;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.Libc;

/**
 * One running wireguard-go: either our child ({@link Process}) or a process adopted from an
 * earlier instance (a pid and its start time, read through {@link ProcFs}).
 *
 * <p>Whether our child lives is the JDK reaper's answer ({@code waitid} on the pid it forked),
 * never {@code /proc}: {@code /proc} may show another PID namespace, where our child's number
 * belongs to a stranger ({@link ProcFs}). An adopted daemon is no child of ours; it is the same
 * process while {@link ProcFs} finds its pid with the start time it had, and it is polled.
 * Signals go through kill(2) in our namespace, after that check.
 *
 * <p>The exit callback hangs off a JDK-only future ({@code anyOf}) that {@link #detach()}
 * completes: a daemon that outlives this bundle then holds no reference to our classes, so a
 * bundle update leaves no class loader behind.
 */
final class WireGuardGoProcess {
    private static final Object DETACHED = new Object();
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;

    private final Process child;
    private final long pid;
    private final long startTicks;
    private final ProcFs proc;
    private final Instant since;
    private final CompletableFuture<Object> exit;
    private volatile ScheduledFuture<?> poll;

    private WireGuardGoProcess(Process child, long pid, long startTicks, ProcFs proc) {
        this.child = child;
        this.pid = pid;
        this.startTicks = startTicks;
        this.proc = proc;
        this.since = Instant.now();
        this.exit = child != null ? CompletableFuture.anyOf(child.onExit()) : new CompletableFuture<>();
    }

    static WireGuardGoProcess child(Process p, ProcFs proc) {
        return new WireGuardGoProcess(p, p.pid(), -1, proc);
    }

    /**
     * The live process {@code pid} of our namespace, watched every {@code pollEvery} on
     * {@code executor}; empty when it is not running.
     */
    static java.util.Optional<WireGuardGoProcess> adopt(long pid, ProcFs proc, ScheduledExecutorService executor,
            Duration pollEvery) {
        OptionalLong start = proc.startTicks(pid);
        if (start.isEmpty()) {
            return java.util.Optional.empty();
        }
        WireGuardGoProcess p = new WireGuardGoProcess(null, pid, start.getAsLong(), proc);
        try {
            p.poll = executor.scheduleWithFixedDelay(() -> {
                if (!p.alive()) {
                    p.exit.complete(p);
                }
            }, pollEvery.toMillis(), pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // shutting down: nobody waits for its exit
        }
        return java.util.Optional.of(p);
    }

    long pid() {
        return pid;
    }

    boolean adopted() {
        return child == null;
    }

    /** When we started or adopted it. */
    Instant since() {
        return since;
    }

    boolean alive() {
        if (child != null) {
            return child.isAlive();
        }
        OptionalLong now = proc.startTicks(pid);
        return now.isPresent() && now.getAsLong() == startTicks;
    }

    /** The exit code; only known for our own child once it exited. */
    OptionalInt exitCode() {
        if (child != null && !child.isAlive()) {
            return OptionalInt.of(child.exitValue());
        }
        return OptionalInt.empty();
    }

    /** Calls {@code callback} once when the process exits, unless detached first. */
    void onExit(Consumer<WireGuardGoProcess> callback) {
        exit.thenAccept(v -> {
            if (v != DETACHED) {
                callback.accept(this);
            }
        });
    }

    /** Drops the exit callback; the process itself keeps running. */
    void detach() {
        ScheduledFuture<?> p = poll;
        if (p != null) {
            p.cancel(false);
        }
        exit.complete(DETACHED);
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns whether it is gone. */
    boolean stop(Duration grace) {
        detach();
        if (!signal(SIGTERM)) {
            return true;
        }
        if (await(grace)) {
            return true;
        }
        signal(SIGKILL);
        return await(Duration.ofSeconds(2));
    }

    /** Sends {@code signal} if it is still this process; returns false when it is already gone. */
    private boolean signal(int signal) {
        if (!alive()) {
            return false;
        }
        try {
            Libc.get().kill(pid, signal);
            return true;
        } catch (NetworkException e) {
            if (e.errno() == Errno.ESRCH) {
                return false;
            }
            throw e;
        }
    }

    private boolean await(Duration d) {
        if (child != null) {
            try {
                child.onExit().get(d.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                return !child.isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !child.isAlive();
            }
        }
        long deadline = System.nanoTime() + d.toNanos();
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive();
            }
        }
        return true;
    }
}
