package dev.kubespan.nat.internal.relay;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real coturn (Debian's {@code turnserver}, installed by scripts/install-nat-deps) on loopback,
 * with the TURN REST shared secret scheme, started and stopped by the test (by its PID).
 */
public final class Coturn implements AutoCloseable {
    public final int port;
    public final String secret;
    private final Process process;
    private final Path dir;

    public Coturn(String secret, String... extra) throws IOException, InterruptedException {
        this.secret = secret;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        dir = Files.createTempDirectory("coturn");
        List<String> cmd = new ArrayList<>(List.of("turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                "--listening-port=" + port, "--min-port=40000", "--max-port=40999", "--use-auth-secret",
                "--static-auth-secret=" + secret, "--realm=kubespan.test", "--fingerprint", "--no-tls", "--no-dtls",
                "--no-cli", "--verbose", "--allow-loopback-peers", "--log-file=stdout", "--simple-log",
                "--pidfile=" + dir.resolve("pid")));
        cmd.addAll(List.of(extra));
        if (!cmd.contains("--no-udp-relay")) {
            cmd.add("--no-tcp-relay"); // coturn refuses to start without any relay transport
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(dir.resolve("log")).contains("Total General servers")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("coturn did not start (is coturn installed? scripts/install-nat-deps): "
                        + Files.readString(dir.resolve("log")));
            }
            Thread.sleep(50);
        }
        Thread.sleep(200);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("log"));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
