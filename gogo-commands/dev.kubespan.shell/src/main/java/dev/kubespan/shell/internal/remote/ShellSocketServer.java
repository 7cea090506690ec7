package dev.kubespan.shell.internal.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Lets {@code bin/kubespan shell} run Gogo commands in an agent that runs as a service (no
 * terminal). The socket lives in a 0700 directory and is itself 0600, so only the agent's own
 * user (root on an appliance) can use it; nothing listens on the network.
 */
@Component(immediate = true)
public final class ShellSocketServer {
    /** Framework property naming the socket; default {@code ${kubespan.home}/data/shell.sock}. */
    public static final String SOCKET_PROPERTY = "kubespan.shell.socket";

    private final CommandProcessor processor;
    private final Logger log;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    /** Open connections and the Gogo session each one runs its command in (once it has one). */
    private final Map<SocketChannel, Optional<CommandSession>> clients = new ConcurrentHashMap<>();

    @Activate
    public ShellSocketServer(@Reference CommandProcessor processor, BundleContext context,
            @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.processor = processor;
        this.log = log;
        this.socket = socketPath(context);
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        this.acceptor = new Thread(this::acceptLoop, "kubespan-shell-socket");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("Shell socket listening on {} (bin/kubespan shell)", socket);
    }

    static Path socketPath(BundleContext context) {
        String p = context.getProperty(SOCKET_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String home = context.getProperty("kubespan.home");
        return Path.of(home == null ? "." : home, "data", "shell.sock");
    }

    /**
     * Closes every session but the one whose command is stopping this bundle ({@code update},
     * {@code stop} or a {@code refresh} typed into this shell): closing that one would interrupt
     * the very thread inside the framework's update, which then gives up before starting the new
     * revision and leaves the shell bundle stopped with no socket to reach it. That session ends
     * by itself when its command returns.
     */
    @Deactivate
    public void deactivate() throws IOException, InterruptedException {
        server.close();
        Job job = Job.Utils.current(); // set on Gogo's pipe threads, null on the framework's own
        Optional<CommandSession> stopping = Optional.ofNullable(job).map(Job::session);
        for (Map.Entry<SocketChannel, Optional<CommandSession>> e : clients.entrySet()) {
            if (stopping.isEmpty() || !stopping.equals(e.getValue())) {
                e.getKey().close();
            }
        }
        acceptor.join(5000);
        Files.deleteIfExists(socket);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                clients.put(c, Optional.empty());
                Thread t = new Thread(() -> serve(c), "kubespan-shell-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("Shell socket accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            String line = readLine(c);
            PrintStream out = new PrintStream(new ChannelOutput(c), true, StandardCharsets.UTF_8);
            Thread worker = Thread.currentThread();
            // The client keeps its side open while it wants output; its close ends a watch. Reads and
            // writes go straight to the channel: its stream adapters share one lock, so a blocked read
            // would stall every write.
            Thread hangup = new Thread(() -> {
                ByteBuffer sink = ByteBuffer.allocate(256);
                try {
                    while (c.read(sink.clear()) >= 0) {
                        // ignore anything after the command line
                    }
                } catch (IOException ignored) {
                    // closed
                }
                worker.interrupt();
            }, "kubespan-shell-hangup");
            hangup.setDaemon(true);
            hangup.start();
            int exit = execute(c, line, out);
            out.print(ShellProtocol.TRAILER + exit + "\n");
            out.flush();
        } catch (IOException e) {
            log.debug("Shell session ended: {}", e.toString());
        } finally {
            clients.remove(c);
            Thread.interrupted();
        }
    }

    private int execute(SocketChannel c, String line, PrintStream out) {
        if (line == null || line.isBlank()) {
            return 0;
        }
        try (CommandSession s = processor.createSession(InputStream.nullInputStream(), out, out)) {
            clients.replace(c, Optional.of(s));
            Object result = s.execute(line);
            if (result != null) {
                out.println(s.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            out.println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (c.read(one.clear()) > 0) {
            byte ch = one.get(0);
            if (ch == '\n') {
                return b.toString(StandardCharsets.UTF_8);
            }
            if (b.size() > 64 * 1024) {
                throw new IOException("command line too long");
            }
            b.write(ch);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** Writes straight to the channel (see {@link #serve}). */
    private static final class ChannelOutput extends OutputStream {
        private final SocketChannel channel;

        ChannelOutput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }
}
