package dev.kubespan.wireguard.internal.userspace;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One running wireguard-go: either our child ({@link Process}, reaped by the JDK) or a process
 * adopted from an earlier instance ({@link ProcessHandle}).
 *
 * <p>The exit callback hangs off a JDK-only future ({@code anyOf}) that {@link #detach()}
 * completes: a daemon that outlives this bundle then holds no reference to our classes, so a
 * bundle update leaves no class loader behind.
 */
final class WireGuardGoProcess {
    private static final Object DETACHED = new Object();

    private final Process child;
    private final ProcessHandle handle;
    private final boolean adopted;
    private final Instant since;
    private final CompletableFuture<Object> exit;

    private WireGuardGoProcess(Process child, ProcessHandle handle, boolean adopted) {
        this.child = child;
        this.handle = handle;
        this.adopted = adopted;
        this.since = Instant.now();
        this.exit = CompletableFuture.anyOf(child != null ? child.onExit() : handle.onExit());
    }

    static WireGuardGoProcess child(Process p) {
        return new WireGuardGoProcess(p, p.toHandle(), false);
    }

    static WireGuardGoProcess adopted(ProcessHandle h) {
        return new WireGuardGoProcess(null, h, true);
    }

    long pid() {
        return handle.pid();
    }

    boolean adopted() {
        return adopted;
    }

    /** When we started or adopted it. */
    Instant since() {
        return since;
    }

    boolean alive() {
        return handle.isAlive();
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
        exit.complete(DETACHED);
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns whether it is gone. */
    boolean stop(Duration grace) {
        detach();
        if (!handle.isAlive()) {
            return true;
        }
        handle.destroy();
        if (await(grace)) {
            return true;
        }
        handle.destroyForcibly();
        return await(Duration.ofSeconds(2));
    }

    private boolean await(Duration d) {
        try {
            (child != null ? child.onExit() : handle.onExit()).get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        }
    }
}
