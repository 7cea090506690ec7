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
 * (CPU time the process used so far, ns), {@code quit}.
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
                        .getOperatingSystemMXBean()).getProcessCpuTime());
                System.out.flush();
            } else if (line.equals("quit")) {
                break;
            }
        }
        server.close();
        System.exit(0);
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
