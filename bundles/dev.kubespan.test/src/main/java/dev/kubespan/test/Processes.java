package dev.kubespan.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command line for a test (ip, keytool, ...): its exit status and its output, bounded in time. */
public final class Processes {
    private Processes() {
    }

    /** @param exit -1 when it could not be started, timed out or was interrupted; {@code output} says which */
    public record Result(int exit, String output) {
    }

    /** Runs {@code argv} (output and errors together); never throws. */
    public static Result exec(Duration timeout, List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Runs {@code argv} and returns its output; an {@link AssertionError} naming the command when it fails. */
    public static String run(Duration timeout, List<String> argv) {
        Result r = exec(timeout, argv);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed (exit " + r.exit() + "): " + r.output().strip());
        }
        return r.output();
    }
}
