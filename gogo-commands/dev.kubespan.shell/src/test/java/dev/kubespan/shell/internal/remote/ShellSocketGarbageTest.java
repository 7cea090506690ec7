package dev.kubespan.shell.internal.remote;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Log;
import dev.kubespan.shell.internal.TestGogo;

/**
 * The shell socket under garbage, with the real Gogo runtime behind a real Unix socket: random
 * bytes, a line of 10 MB, hundreds of connections that send nothing, clients that stop reading,
 * more commands than may run. Each time, a well-behaved client is still answered, the threads
 * stay bounded, and every misbehaving connection is closed by the server with a reason.
 */
public class ShellSocketGarbageTest {
    private static final long SEED = 16L;
    private Path dir;
    private Path socket;
    private ShellSocketServer server;
    private CommandProcessorImpl processor;
    private final List<SocketChannel> opened = new ArrayList<>();

    /** The test's Gogo commands. */
    public static final class Commands {
        final CountDownLatch blocked = new CountDownLatch(1);

        public String echo(String s) {
            return s;
        }

        /** Runs until its client hangs up (interrupt). */
        public String block() throws InterruptedException {
            Thread.sleep(60_000);
            return "not interrupted";
        }

        /** Prints without end, as a watch with a lot of changes would, until its output fails. */
        public void flood() {
            String line = "x".repeat(1023);
            while (!Thread.currentThread().isInterrupted() && !System.out.checkError()) {
                System.out.println(line);
            }
        }

        public String oom() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("shell-garbage");
        socket = dir.resolve("data/shell.sock");
        processor = TestGogo.processor();
        Commands c = new Commands();
        for (String f : List.of("echo", "block", "flood", "oom")) {
            processor.addCommand("test", c, f);
        }
    }

    @After
    public void tearDown() throws Exception {
        for (SocketChannel c : opened) {
            c.close();
        }
        if (server != null) {
            server.deactivate();
        }
        processor.stop();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void start(ShellSocketServer.Limits limits) throws IOException {
        server = new ShellSocketServer(processor, socket, Log.console("shell-test"), limits);
    }

    @Test
    public void aClientIsAnsweredWhileOthersSendGarbageHugeLinesAndNothing() throws Exception {
        ShellSocketServer.Limits limits = new ShellSocketServer.Limits(64 * 1024, Duration.ofSeconds(3), 32, 16,
                Duration.ofSeconds(30));
        start(limits);
        Random random = new Random(SEED);

        List<SocketChannel> silent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            silent.add(connect());
        }
        // 10 MB without a newline, written from its own thread: the server stops it at 64 KiB.
        SocketChannel huge = connect();
        Thread hugeWriter = new Thread(() -> {
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            try {
                for (int i = 0; i < 160; i++) {
                    huge.write(ByteBuffer.wrap(chunk));
                }
            } catch (IOException expected) {
                // the server closed it
            }
        });
        hugeWriter.start();
        // Random bytes: some without any newline (cut at 64 KiB), some whose first line is garbage to Gogo.
        List<SocketChannel> noise = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SocketChannel c = connect();
            byte[] b = new byte[i % 2 == 0 ? 70_000 : 3_000];
            random.nextBytes(b);
            if (i % 2 == 0) {
                for (int j = 0; j < b.length; j++) {
                    b[j] = b[j] == '\n' ? (byte) 'n' : b[j];
                }
            }
            writeIgnoringClose(c, b);
            noise.add(c);
        }

        int threads = shellThreads();
        long t0 = System.nanoTime();
        Reply reply = run("test:echo hello");
        double millis = (System.nanoTime() - t0) / 1e6;
        assertEquals("hello\n", reply.output());
        assertEquals(0, reply.exit());
        System.out.printf("FIGURE shell socket: answered under 200 silent + 9 garbage connections in %.1f ms,"
                + " %d shell threads%n", millis, threads);
        assertTrue("shell threads: " + threads + " (one reader, two per running command)", threads <= 1 + 2 * 16);

        Reply hugeReply = readReply(huge, Duration.ofSeconds(10));
        assertEquals("Error: the command line is longer than 65536 bytes\n", hugeReply.output());
        assertEquals(1, hugeReply.exit());
        hugeWriter.join(10_000);
        for (int i = 0; i < noise.size(); i++) {
            Reply r = readReply(noise.get(i), Duration.ofSeconds(10));
            assertEquals("every garbage connection gets an error and is closed: " + r, 1, r.exit());
            assertTrue(r.output(), r.output().startsWith("Error: "));
            if (i % 2 == 0) {
                assertEquals("Error: the command line is longer than 65536 bytes\n", r.output());
            }
        }
        // The silent ones: the oldest were closed as newer ones came, the rest when their time ran out.
        int evicted = 0;
        int timedOut = 0;
        for (SocketChannel c : silent) {
            Reply r = readReply(c, Duration.ofSeconds(10));
            assertEquals(r.output(), 1, r.exit());
            if (r.output().contains("more than 32 connections were waiting")) {
                evicted++;
            } else {
                assertEquals("Error: no complete command line within 3 s\n", r.output());
                timedOut++;
            }
        }
        assertEquals(200, evicted + timedOut);
        assertTrue("at most 32 may wait: " + timedOut + " timed out", timedOut <= 32);
        assertEquals("still answering", "again\n", run("test:echo again").output());
    }

    @Test
    public void runningCommandsAreCappedAndAClientThatStopsReadingIsDisconnected() throws Exception {
        start(new ShellSocketServer.Limits(64 * 1024, Duration.ofSeconds(10), 32, 4, Duration.ofSeconds(1)));
        // A client that starts an endless output and reads none of it.
        SocketChannel stalled = connect();
        stalled.write(ByteBuffer.wrap("test:flood\n".getBytes(StandardCharsets.UTF_8)));
        List<SocketChannel> blockers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SocketChannel c = connect();
            c.write(ByteBuffer.wrap("test:block\n".getBytes(StandardCharsets.UTF_8)));
            blockers.add(c);
        }
        Thread.sleep(300); // four commands run
        Reply refused = run("test:echo five");
        if (refused.exit() == 0) {
            // the stalled client may already have been dropped (its second of grace is over): fill its slot
            SocketChannel c = connect();
            c.write(ByteBuffer.wrap("test:block\n".getBytes(StandardCharsets.UTF_8)));
            blockers.add(c);
            Thread.sleep(300);
            refused = run("test:echo five");
        }
        assertEquals("Error: 4 shell commands are running, the most there may be at once; try again when one has"
                + " ended\n", refused.output());
        assertEquals(1, refused.exit());

        // The stalled client is dropped once its output has waited a second.
        ByteBuffer drain = ByteBuffer.allocate(1 << 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Thread.sleep(2500);
        int n = 0;
        while (System.nanoTime() < deadline && (n = readSome(stalled, drain.clear())) >= 0) {
            // whatever the socket buffers held, then the end
        }
        assertEquals("the server closed the client that read nothing", -1, n);

        for (SocketChannel c : blockers) {
            c.close(); // a hang-up ends the command
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Reply again;
        do {
            Thread.sleep(100);
            again = run("test:echo again");
        } while (again.exit() != 0 && System.nanoTime() < end);
        assertEquals("again\n", again.output());
    }

    /** Before: "Error: java.lang.reflect.InvocationTargetException", which says nothing. */
    @Test
    public void anErrorInACommandIsNamed() throws Exception {
        start(ShellSocketServer.Limits.DEFAULT);
        Reply r = run("test:oom");
        assertEquals("Error: java.lang.OutOfMemoryError: Java heap space\n", r.output());
        assertEquals(1, r.exit());
        assertEquals("ok\n", run("test:echo ok").output());
    }

    record Reply(String output, int exit) {
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        opened.add(c);
        return c;
    }

    private Reply run(String line) throws IOException {
        SocketChannel c = connect();
        c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        return readReply(c, Duration.ofSeconds(10));
    }

    /** Reads until the trailer or the end; fails the test when neither comes in time. */
    private static Reply readReply(SocketChannel c, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no reply within " + timeout + ": " + out.toString(StandardCharsets.UTF_8));
            }
            int n = readSome(c, buf.clear());
            if (n < 0) {
                break;
            }
            out.write(buf.array(), 0, n);
            String text = out.toString(StandardCharsets.UTF_8);
            int t = text.indexOf(ShellProtocol.TRAILER);
            if (t >= 0 && text.indexOf('\n', t) > 0) {
                int exit = Integer.parseInt(text.substring(t + ShellProtocol.TRAILER.length(), text.indexOf('\n', t)));
                return new Reply(text.substring(0, t), exit);
            }
        }
        return new Reply(out.toString(StandardCharsets.UTF_8), -1);
    }

    /** A read that gives up after 100 ms without data (0), so a test can watch its deadline. */
    private static int readSome(SocketChannel c, ByteBuffer buf) throws IOException {
        c.configureBlocking(false);
        try (java.nio.channels.Selector s = java.nio.channels.Selector.open()) {
            c.register(s, java.nio.channels.SelectionKey.OP_READ);
            if (s.select(100) == 0) {
                return 0;
            }
            try {
                return c.read(buf);
            } catch (IOException reset) {
                return -1;
            }
        }
    }

    private static void writeIgnoringClose(SocketChannel c, byte[] b) {
        Thread t = new Thread(() -> {
            try {
                c.write(ByteBuffer.wrap(b));
            } catch (IOException expected) {
                // closed by the server
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static int shellThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("kubespan-shell")).count();
    }
}
