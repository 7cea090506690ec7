package dev.kubespan.shell.internal.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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

import dev.kubespan.api.Log;

/**
 * Lets {@code bin/kubespan shell} run Gogo commands in an agent that runs as a service (no
 * terminal). The socket lives in a 0700 directory and is itself 0600, so only the agent's own
 * user (root on an appliance) can use it; nothing listens on the network.
 *
 * <p>Whatever a client does, the next one is answered: one thread reads every command line
 * (non-blocking, so a connection that sends nothing costs no thread), a line is at most
 * {@link Limits#maxLineBytes} and must arrive within {@link Limits#lineTimeout}; at most
 * {@link Limits#maxWaiting} connections may be waiting to send theirs (a new one closes the
 * oldest); at most {@link Limits#maxSessions} commands run at once (more are refused with a
 * message); and a client that stops reading a command's output for {@link Limits#writeTimeout}
 * is disconnected.
 */
@Component(immediate = true)
public final class ShellSocketServer {
    /** Framework property naming the socket; default {@code ${kubespan.home}/data/shell.sock}. */
    public static final String SOCKET_PROPERTY = "kubespan.shell.socket";

    /** What one client can hold of the agent. */
    record Limits(int maxLineBytes, Duration lineTimeout, int maxWaiting, int maxSessions, Duration writeTimeout) {
        static final Limits DEFAULT = new Limits(64 * 1024, Duration.ofSeconds(10), 32, 16, Duration.ofSeconds(30));
    }

    /** A connection still sending its command line. */
    private static final class Waiting {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final long deadline;

        Waiting(long deadline) {
            this.deadline = deadline;
        }
    }

    /** A connection whose command runs. */
    private static final class Session {
        final SocketChannel channel;
        /** Set once the Gogo session exists; {@link #deactivate} spares the one that stops this bundle. */
        volatile Optional<CommandSession> gogo = Optional.empty();
        /** {@link System#nanoTime()} when a write to the client began and has not finished; 0 otherwise. */
        volatile long writingSince;

        Session(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final CommandProcessor processor;
    private final Log log;
    private final Limits limits;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread reader;
    /** Reader thread only; insertion order is age, so the first is the oldest. */
    private final LinkedHashMap<SocketChannel, Waiting> waiting = new LinkedHashMap<>();
    private final Map<SocketChannel, Session> sessions = new ConcurrentHashMap<>();
    private long lastAcceptFailureLog;

    @Activate
    public ShellSocketServer(@Reference CommandProcessor processor, BundleContext context,
            @Reference(service = LoggerFactory.class) Logger logger) throws IOException {
        this(processor, socketPath(context), Log.of(logger), Limits.DEFAULT);
    }

    ShellSocketServer(CommandProcessor processor, Path socket, Log log, Limits limits) throws IOException {
        this.processor = processor;
        this.log = log;
        this.limits = limits;
        this.socket = socket;
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        server.configureBlocking(false);
        this.selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.reader = new Thread(this::readLoop, "kubespan-shell-socket");
        reader.setDaemon(true);
        reader.start();
        log.info("Shell socket listening on " + socket + " (bin/kubespan shell)");
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
        selector.wakeup();
        Job job = Job.Utils.current(); // set on Gogo's pipe threads, null on the framework's own
        Optional<CommandSession> stopping = Optional.ofNullable(job).map(Job::session);
        for (Session s : sessions.values()) {
            if (stopping.isEmpty() || !stopping.equals(s.gogo)) {
                s.channel.close();
            }
        }
        reader.join(5000);
        Files.deleteIfExists(socket);
    }

    /** Accepts connections, reads their command lines, and enforces every deadline. */
    private void readLoop() {
        try {
            while (server.isOpen()) {
                selector.select(1000);
                List<SocketChannel> complete = new ArrayList<>();
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext();) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else if (key.isReadable()) {
                        SocketChannel c = (SocketChannel) key.channel();
                        if (readSome(c)) {
                            key.cancel();
                            complete.add(c);
                        }
                    }
                }
                if (!complete.isEmpty()) {
                    selector.selectNow(); // deregisters the cancelled keys, so the channels may block again
                    for (SocketChannel c : complete) {
                        start(c, waiting.remove(c));
                    }
                }
                enforceDeadlines();
            }
        } catch (IOException | RuntimeException e) {
            if (server.isOpen()) {
                log.error("Shell socket stopped working; bin/kubespan shell is unavailable until the shell bundle"
                        + " restarts", e);
            }
        } finally {
            for (SocketChannel c : waiting.keySet()) {
                closeQuietly(c);
            }
            waiting.clear();
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                // Typically out of file descriptors: say so now and then, not for every attempt.
                long now = System.nanoTime();
                if (lastAcceptFailureLog == 0 || now - lastAcceptFailureLog > 60_000_000_000L) {
                    lastAcceptFailureLog = now;
                    log.warn("Shell socket cannot accept a connection: " + e);
                }
                return;
            }
            if (c == null) {
                return;
            }
            if (waiting.size() >= limits.maxWaiting()) {
                SocketChannel oldest = waiting.keySet().iterator().next();
                waiting.remove(oldest);
                refuse(oldest, "closed: more than " + limits.maxWaiting()
                        + " connections were waiting to send a command line");
            }
            try {
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ);
                waiting.put(c, new Waiting(System.nanoTime() + limits.lineTimeout().toNanos()));
            } catch (IOException e) {
                closeQuietly(c);
            }
        }
    }

    /** Reads what is there; true when the command line is complete (a newline, or the end of input). */
    private boolean readSome(SocketChannel c) {
        Waiting w = waiting.get(c);
        if (w == null) {
            closeQuietly(c);
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            int n;
            while ((n = c.read(buf.clear())) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b == '\n') {
                        return true; // anything after the line is ignored, as the protocol says
                    }
                    if (w.line.size() >= limits.maxLineBytes()) {
                        waiting.remove(c);
                        refuse(c, "the command line is longer than " + limits.maxLineBytes() + " bytes");
                        return false;
                    }
                    w.line.write(b);
                }
            }
            if (n < 0) {
                if (w.line.size() > 0) {
                    return true; // a last line without newline still counts
                }
                waiting.remove(c);
                closeQuietly(c);
            }
        } catch (IOException e) {
            waiting.remove(c);
            closeQuietly(c);
        }
        return false;
    }

    private void enforceDeadlines() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<SocketChannel, Waiting>> it = waiting.entrySet().iterator(); it.hasNext();) {
            Map.Entry<SocketChannel, Waiting> e = it.next();
            if (now - e.getValue().deadline >= 0) {
                it.remove();
                refuse(e.getKey(), "no complete command line within " + limits.lineTimeout().toSeconds() + " s");
            }
        }
        for (Session s : sessions.values()) {
            long since = s.writingSince;
            if (since != 0 && now - since > limits.writeTimeout().toNanos()) {
                log.debug("Shell session closed: its client read nothing for " + limits.writeTimeout().toSeconds()
                        + " s");
                closeQuietly(s.channel);
            }
        }
    }

    private void start(SocketChannel c, Waiting w) {
        if (sessions.size() >= limits.maxSessions()) {
            refuse(c, limits.maxSessions() + " shell commands are running, the most there may be at once;"
                    + " try again when one has ended");
            return;
        }
        try {
            c.configureBlocking(true);
        } catch (IOException e) {
            closeQuietly(c);
            return;
        }
        Session s = new Session(c);
        sessions.put(c, s);
        String line = w.line.toString(StandardCharsets.UTF_8);
        Thread t = new Thread(() -> serve(s, line), "kubespan-shell-session");
        t.setDaemon(true);
        t.start();
    }

    /** Tells the client why, as a failed command would, and closes; never blocks (the reader thread calls it). */
    private static void refuse(SocketChannel c, String why) {
        try {
            if (c.isBlocking()) {
                c.configureBlocking(false);
            }
            c.write(ByteBuffer.wrap(("Error: " + why + "\n" + ShellProtocol.TRAILER + "1\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException ignored) {
            // the client is gone or not reading: closing is all that is left
        }
        closeQuietly(c);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void serve(Session s, String line) {
        SocketChannel c = s.channel;
        try (c) {
            PrintStream out = new PrintStream(new ChannelOutput(s), true, StandardCharsets.UTF_8);
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
            int exit = execute(s, line, out);
            out.print(ShellProtocol.TRAILER + exit + "\n");
            out.flush();
        } catch (IOException e) {
            log.debug("Shell session ended: " + e);
        } finally {
            sessions.remove(c);
            Thread.interrupted();
        }
    }

    private int execute(Session session, String line, PrintStream out) {
        if (line.isBlank()) {
            return 0;
        }
        try (CommandSession s = processor.createSession(InputStream.nullInputStream(), out, out)) {
            session.gogo = Optional.of(s);
            Object result = s.execute(line);
            if (result != null) {
                out.println(s.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            out.println("Error: " + describe(e));
            return 1;
        }
    }

    /**
     * What went wrong, in the command's own words: Gogo hands on a command's {@link Error} wrapped
     * in an {@link InvocationTargetException} without a message.
     */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Error || t.getMessage() == null) {
            return t.toString();
        }
        return t.getMessage();
    }

    /** Writes straight to the channel (see {@link #serve}), and tells the reader thread while it waits. */
    private static final class ChannelOutput extends OutputStream {
        private final Session session;

        ChannelOutput(Session session) {
            this.session = session;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            session.writingSince = Math.max(1, System.nanoTime());
            try {
                while (buf.hasRemaining()) {
                    session.channel.write(buf);
                }
            } finally {
                session.writingSince = 0;
            }
        }
    }
}
