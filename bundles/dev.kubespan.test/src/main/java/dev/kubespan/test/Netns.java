package dev.kubespan.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLibrary;

/**
 * A throwaway network namespace ({@code ip netns add}) and one thread that has entered it with
 * {@code setns(2)}. A netlink or other socket stays in the namespace it was created in, so code run
 * through {@link #call} opens its sockets inside the namespace while the JVM and every other thread
 * stay outside. {@link #close()} deletes the namespace. Needs root and iproute2; without them
 * {@link #create} fails loudly (a test that needs a namespace must not pass without one).
 */
public final class Netns implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A namespace named {@code prefix} and a random suffix. */
    public static Netns create(String prefix) {
        return named(prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff)));
    }

    /** A namespace of exactly this name (which must not exist yet). */
    public static Netns named(String name) {
        Processes.Result r = Processes.exec(COMMAND_TIMEOUT, List.of("ip", "netns", "add", name));
        if (r.exit() != 0) {
            throw new AssertionError("This test needs root and iproute2 to create a network namespace; "
                    + "'ip netns add " + name + "' failed (exit " + r.exit() + "): " + r.output().strip());
        }
        Netns ns = new Netns(name);
        try {
            ns.run(() -> enter("/run/netns/" + name));
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code task} on the thread inside the namespace; its exception is rethrown (a checked one wrapped). */
    public <T> T call(Callable<T> task) {
        Future<T> f = thread.submit(task);
        try {
            return f.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (Exception e) {
            throw new IllegalStateException("task in " + name + " did not finish", e);
        }
    }

    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** {@code ip -n <ns> args...}; an {@link AssertionError} when ip fails. */
    public String ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return Processes.run(COMMAND_TIMEOUT, argv);
    }

    /** {@code ip netns exec <ns> args...}: runs a program inside the namespace. */
    public Processes.Result exec(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(args));
        return Processes.exec(COMMAND_TIMEOUT, argv);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        Processes.Result r = Processes.exec(COMMAND_TIMEOUT, List.of("ip", "netns", "del", name));
        if (r.exit() != 0) {
            throw new AssertionError("could not delete network namespace " + name + ": " + r.output());
        }
    }

    /** setns(2) of the calling thread into the namespace file. */
    private static void enter(String path) {
        NativeLibrary c = NativeLibrary.getInstance("c");
        int fd;
        try {
            fd = c.getFunction("open", Function.THROW_LAST_ERROR).invokeInt(new Object[] {path, O_RDONLY | O_CLOEXEC});
        } catch (LastErrorException e) {
            throw new IllegalStateException("open " + path + ": errno " + e.getErrorCode(), e);
        }
        try {
            c.getFunction("setns", Function.THROW_LAST_ERROR).invokeInt(new Object[] {fd, CLONE_NEWNET});
        } catch (LastErrorException e) {
            throw new IllegalStateException("setns " + path + ": errno " + e.getErrorCode(), e);
        } finally {
            c.getFunction("close").invokeInt(new Object[] {fd});
        }
    }
}
