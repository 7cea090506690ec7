package dev.kubespan.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * What a process uses, read from {@code /proc}: resident memory, threads, open files, and CPU
 * time. The one reader of {@code /proc} for tests and benchmarks that print such figures (soak and
 * fault tests bound growth with it; benchmarks give CPU per operation).
 *
 * @param fds -1 when the process's {@code fd} folder cannot be listed
 */
public record ProcessSample(long rssKib, int threads, int fds) {
    /** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    public static ProcessSample of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long rss = 0;
        int threads = 0;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D+", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.replaceAll("\\D+", ""));
            }
        }
        int fds;
        try (var s = Files.list(proc.resolve("fd"))) {
            fds = (int) s.count();
        } catch (IOException notOurs) {
            fds = -1;
        }
        return new ProcessSample(rss, threads, fds);
    }

    /** This JVM. */
    public static ProcessSample self() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    /** CPU time (user + system) the process has used so far, in nanoseconds (10 ms resolution). */
    public static long cpuNanos(long pid) throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * NANOS_PER_TICK;
    }

    /**
     * CPU time (user + system) of the process's threads whose name matches, in nanoseconds: e.g.
     * a JVM's JIT compiler threads. Threads that end while being read are left out.
     */
    public static long threadCpuNanos(long pid, Predicate<String> threadName) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    if (threadName.test(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) {
                        ticks += cpuTicks(stat);
                    }
                } catch (IOException | RuntimeException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks * NANOS_PER_TICK;
    }

    /** Sum of the resident memory of every process with this command name ({@code comm}) that /proc shows. */
    public static long rssKibOfAll(String command) throws IOException {
        long sum = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals(command)) {
                        sum += of(Long.parseLong(p.getFileName().toString())).rssKib();
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return sum;
    }

    /** The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg prints them. */
    public static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** utime + stime: fields 14 and 15 of a stat line, counted after the command name's closing parenthesis. */
    private static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Override
    public String toString() {
        return String.format("RSS %d MiB, %d threads, %d fds", rssKib / 1024, threads, fds);
    }
}
