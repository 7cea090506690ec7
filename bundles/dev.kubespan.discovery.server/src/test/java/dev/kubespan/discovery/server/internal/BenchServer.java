package dev.kubespan.discovery.server.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;

import dev.kubespan.api.Log;
import dev.kubespan.test.ProcessSample;

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
                System.out.println("HEAP " + used + " RSS " + ProcessSample.self().rssKib());
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
        return ProcessSample.threadCpuNanos(ProcessHandle.current().pid(),
                name -> name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler"));
    }
}
