package dev.kubespan.shell.internal.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/kubespan shell [command...]}: runs one command line in the running agent, or reads
 * command lines from standard input when none is given. Plain JDK, no OSGi needed.
 */
public final class ShellClient {
    private ShellClient() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ShellClient <socket> [command...]");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        if (!Files.exists(socket)) {
            System.err.println("kubespan shell: no agent socket at " + socket
                    + " (is the agent running, and are you root?)");
            System.exit(1);
        }
        if (args.length > 1) {
            System.exit(run(socket, String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length))));
        }
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean tty = System.console() != null;
        int last = 0;
        while (true) {
            if (tty) {
                System.out.print("kubespan> ");
                System.out.flush();
            }
            String line = stdin.readLine();
            if (line == null || line.trim().equals("exit")) {
                System.exit(last);
            }
            if (!line.isBlank()) {
                last = run(socket, line);
            }
        }
    }

    /** Sends one command line and copies the output to stdout; returns the command's exit code. */
    static int run(Path socket, String line) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(c);
            out.write((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return copyUntilTrailer(Channels.newInputStream(c), System.out);
        } catch (java.net.SocketException e) {
            System.err.println("kubespan shell: cannot reach the agent at " + socket + ": " + e.getMessage());
            return 1;
        }
    }

    static int copyUntilTrailer(InputStream in, java.io.PrintStream sink) throws IOException {
        StringBuilder pending = new StringBuilder();
        int b;
        java.io.ByteArrayOutputStream lineBytes = new java.io.ByteArrayOutputStream();
        while ((b = in.read()) >= 0) {
            lineBytes.write(b);
            if (b == '\n') {
                String l = lineBytes.toString(StandardCharsets.UTF_8);
                lineBytes.reset();
                if (l.startsWith(ShellProtocol.TRAILER)) {
                    return Integer.parseInt(l.substring(ShellProtocol.TRAILER.length()).trim());
                }
                sink.print(l);
                sink.flush();
            }
        }
        pending.append(lineBytes.toString(StandardCharsets.UTF_8));
        sink.print(pending);
        sink.flush();
        System.err.println("kubespan shell: the agent closed the connection");
        return 1;
    }
}
