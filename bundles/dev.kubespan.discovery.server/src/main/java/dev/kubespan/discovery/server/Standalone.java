package dev.kubespan.discovery.server;

import java.util.concurrent.CountDownLatch;

import dev.kubespan.discovery.server.internal.CommandLine;
import dev.kubespan.discovery.server.internal.DiscoveryServer;
import dev.kubespan.api.Log;

/**
 * The discovery server as a plain Java program ({@code bin/kubespan-discovery}): the same core as
 * the bundle, configured by flags, logging to stderr, and stopping cleanly on SIGTERM/SIGINT
 * (the shutdown hook ends watches and writes the final snapshot).
 */
public final class Standalone {
    private static final String EXAMPLES = """

            One server, state in memory with snapshots (the default):
              kubespan-discovery --addr :3000 --certificate-path cert.pem --key-path key.pem

            Three replicas serving the same clusters, state in etcd (run one on each host; every
            replica takes every RPC, watchers on any replica see updates made on any other):
              kubespan-discovery --addr :3000 --state etcd \\
                --etcd-endpoints https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379 \\
                --etcd-ca etcd-ca.pem --etcd-cert client.pem --etcd-key client-key.pem
            Nodes list the replicas in one URL and fail over between them:
              endpoint: https://discovery-1.example:3000,discovery-2.example:3000,discovery-3.example:3000/
            """;

    private Standalone() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (CommandLine.wantsHelp(args)) {
            System.out.print("Usage: kubespan-discovery [flags]\n" + CommandLine.usage() + EXAMPLES);
            return;
        }
        CommandLine cl;
        try {
            cl = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kubespan-discovery: " + e.getMessage());
            System.err.print(CommandLine.usage());
            System.exit(2);
            return;
        }
        Log log = Log.console("kubespan-discovery", cl.debug());
        DiscoveryServer server;
        try {
            server = DiscoveryServer.start(cl.toSettings(System.getProperty("kubespan.home")), log);
        } catch (Exception e) {
            StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                why.append(": ").append(c.getMessage());
            }
            System.err.println("kubespan-discovery: cannot start: " + why);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "discovery-shutdown"));
        stopped.await();
    }
}
