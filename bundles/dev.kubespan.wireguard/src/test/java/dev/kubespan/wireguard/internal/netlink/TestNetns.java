package dev.kubespan.wireguard.internal.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace ({@code ip netns add ks-nl-<random>}) and one thread that has
 * entered it with {@code setns(2)}. A netlink socket stays in the namespace it was created in,
 * so code run through {@link #call} opens its sockets inside the namespace while the JVM and
 * every other thread stay outside. {@link #close()} deletes the namespace.
 */
public final class TestNetns implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private final String name;
    private final ExecutorService thread;

    private TestNetns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates the namespace; fails loudly (not an assumption) when that is impossible. */
    public static TestNetns create() {
        String name = "ks-nl-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        Result r = exec("ip", "netns", "add", name);
        if (r.exit != 0) {
            throw new AssertionError("These tests need root and iproute2 to create a network namespace; "
                    + "'ip netns add " + name + "' failed (exit " + r.exit + "): " + r.output.trim());
        }
        TestNetns ns = new TestNetns(name);
        try {
            ns.call(() -> {
                Libc libc = Libc.get();
                int fd = libc.open("/var/run/netns/" + name, O_RDONLY | O_CLOEXEC);
                try {
                    libc.setns(fd, CLONE_NEWNET);
                } finally {
                    libc.close(fd);
                }
                return null;
            });
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

    /** Runs {@code task} on the thread inside the namespace. */
    public <T> T call(Callable<T> task) {
        Future<T> f = thread.submit(task);
        try {
            return f.get(60, TimeUnit.SECONDS);
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

    /** {@code ip -n <ns> args...}; fails when ip exits non-zero. */
    public String ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        Result r = exec(argv.toArray(String[]::new));
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed (exit " + r.exit + "): " + r.output);
        }
        return r.output;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        Result r = exec("ip", "netns", "del", name);
        if (r.exit != 0) {
            throw new AssertionError("could not delete network namespace " + name + ": " + r.output);
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result exec(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
