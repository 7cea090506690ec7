package dev.kubespan.discovery.server.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.kubespan.api.Log;

/**
 * The server side of {@link DiscoveryServerBenchmark}, in its own JVM: the standalone server's
 * flags, then commands on stdin: {@code heap} (after a full GC: heap used and RSS), {@code cpu}
 * (CPU time the process and its JIT compiler threads used so far, ns), {@code quit}.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        DiscoveryServer server = DiscoveryServer.start(CommandLine.parse(args).toSettings(null), Log.console("[discovery server]", false));
        System.out.println("PORT " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("heap")) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(100);
                }
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.println("HEAP " + used + " RSS " + rssKib("self"));
                System.out.flush();
            } else if (line.equals("cpu")) {
                System.out.println("CPU " + ((com.sun.management.OperatingSystemMXBean) ManagementFactory
                        .getOperatingSystemMXBean()).getProcessCpuTime() + " JIT " + compilerCpuNanos());
                System.out.flush();
            } else if (line.equals("quit")) {
                break;
            }
        }
        server.close();
        System.exit(0);
    }

    /**
     * CPU time of this JVM's JIT compiler threads so far (ns, in clock ticks of 10 ms): a server
     * pinned to one core compiles on that core, and a phase measured while C2 still compiles the
     * hot paths pays for it (perf: two thirds of the server's CPU in one such phase).
     */
    static long compilerCpuNanos() throws java.io.IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    }
                } catch (java.io.IOException | RuntimeException ended) {
                    // a compiler thread that ended meanwhile
                }
            }
        }
        return ticks * 10_000_000L;
    }

    static long rssKib(String pid) throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }
}
