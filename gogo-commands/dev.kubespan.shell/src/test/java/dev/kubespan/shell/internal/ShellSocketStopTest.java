package dev.kubespan.shell.internal;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

import dev.kubespan.shell.internal.remote.ShellSocketServer;
import dev.kubespan.test.OsgiLogger;
import dev.kubespan.test.RecordingLog;

/**
 * A command typed into the socket shell that stops the shell bundle itself ({@code update} of
 * dev.kubespan.shell): the framework runs the deactivation on that command's thread, which must
 * not be interrupted by it (the framework would abandon the update and leave the bundle stopped).
 * Other sessions are closed.
 */
public class ShellSocketStopTest {
    private Path dir;
    private ShellSocketServer server;

    /** The Gogo command: deactivates the server from its own session thread, as Bundle.update does. */
    public static final class Lifecycle {
        final AtomicReference<ShellSocketServer> server = new AtomicReference<>();

        public String stopself() throws Exception {
            server.get().deactivate();
            // the framework would now wait on its bundle lock, which throws when interrupted
            Thread.sleep(200);
            return "update done, interrupted=" + Thread.currentThread().isInterrupted();
        }

        public String block() throws InterruptedException {
            Thread.sleep(10_000);
            return "not closed";
        }
    }

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("shell-socket");
    }

    @After
    public void tearDown() throws Exception {
        try {
            server.deactivate();
        } catch (Exception ignored) {
            // already deactivated by the test
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void aCommandThatStopsTheShellRunsToItsEndAndOtherSessionsAreClosed() throws Exception {
        CommandProcessorImpl processor = TestGogo.processor();
        Lifecycle lifecycle = new Lifecycle();
        processor.addCommand("test", lifecycle, "stopself");
        processor.addCommand("test", lifecycle, "block");
        Path socket = dir.resolve("data/shell.sock");
        server = new ShellSocketServer(processor, context(socket), logger());
        lifecycle.server.set(server);

        try (SocketChannel watcher = connect(socket); SocketChannel updater = connect(socket)) {
            send(watcher, "test:block");
            Thread.sleep(300); // the watcher's session is running its command
            send(updater, "test:stopself");

            String updaterOutput = readAll(updater);
            assertTrue(updaterOutput, updaterOutput.contains("update done, interrupted=false"));
            assertTrue(updaterOutput, updaterOutput.contains("kubespan-exit:0"));
            String watcherOutput = readAll(watcher);
            assertTrue("the other session was closed without finishing: " + watcherOutput,
                    !watcherOutput.contains("kubespan-exit:0"));
        }
        assertTrue("the socket is removed", !Files.exists(socket));
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    private static void send(SocketChannel c, String line) throws IOException {
        c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String readAll(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = c.read(buf.clear());
            if (n < 0) {
                break;
            }
            out.write(buf.array(), 0, n);
            if (out.toString(StandardCharsets.UTF_8).contains("kubespan-exit:")) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8).replace('\u0000', ' ');
    }

    private static BundleContext context(Path socket) {
        return (BundleContext) Proxy.newProxyInstance(ShellSocketStopTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> {
                    if (m.getName().equals("getProperty")) {
                        return ShellSocketServer.SOCKET_PROPERTY.equals(a[0]) ? socket.toString() : null;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    private static Logger logger() {
        return OsgiLogger.of(new RecordingLog());
    }
}
