package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A running agent's shell socket ({@code data/shell.sock}, behind {@code bin/kubespan shell})
 * under 200 connections that send nothing, 8 that send random bytes and one that sends a 10 MB
 * line: {@code bin/kubespan shell kubespan:config-status} is still answered (time printed), the
 * agent's shell threads stay bounded, and the silent connections are closed by the agent once
 * their 10 s are up. (Before: one thread per connection, for as long as the client liked.)
 */
public class ShellSocketFloodE2EIT {
    private MeshLab lab;
    private final List<SocketChannel> opened = new ArrayList<>();

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("shell-flood");
    }

    @After
    public void tearDown() throws IOException {
        for (SocketChannel c : opened) {
            c.close();
        }
        lab.close();
    }

    @Test
    public void theShellAnswersWhileOthersFloodItsSocket() throws Exception {
        lab.config("node1", Mesh.kubeSpanConfig());
        lab.start("node1", 1);
        Path socket = lab.home("node1").resolve("data/shell.sock");
        Mesh.await("node1 answers its shell", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(lab.shell("node1", "kubespan:config-status").contains("last load: ok"), "no"));
        Thread.sleep(3000);
        long pid = lab.agentPid("node1");
        int threadsBefore = threads(pid, "");
        long rssBefore = lab.agentRssKib("node1");

        List<SocketChannel> silent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            silent.add(connect(socket));
        }
        Random random = new Random(16);
        for (int i = 0; i < 8; i++) {
            byte[] b = new byte[70_000];
            random.nextBytes(b);
            for (int j = 0; j < b.length; j++) {
                b[j] = b[j] == '\n' ? (byte) 'n' : b[j]; // no line reaches Gogo here (the module test sends such lines)
            }
            write(connect(socket), b);
        }
        byte[] line = new byte[10 << 20];
        java.util.Arrays.fill(line, (byte) 'a');
        write(connect(socket), line);
        Thread.sleep(500);

        long t0 = System.nanoTime();
        String status = lab.shell("node1", "kubespan:config-status");
        double millis = (System.nanoTime() - t0) / 1e6;
        assertTrue(status, status.contains("last load: ok"));
        int shellThreads = threads(pid, "kubespan-shell");
        int threadsDuring = threads(pid, "");
        long rssDuring = lab.agentRssKib("node1");
        Figures.record("shell under 200 silent + 9 garbage connections: answer",
                String.format("%.0f ms (bin/kubespan shell, JVM start included)", millis));
        Figures.record("shell under the flood: agent threads before -> during",
                threadsBefore + " -> " + threadsDuring + " (" + shellThreads + " of the shell)");
        Figures.record("shell under the flood: agent RSS before -> during", rssBefore / 1024 + " -> "
                + rssDuring / 1024 + " MiB");
        assertTrue("shell threads: " + shellThreads, shellThreads <= 1 + 2 * 16);

        Thread.sleep(12_000); // the agent gives each connection 10 s for its command line
        int closed = 0;
        ByteBuffer buf = ByteBuffer.allocate(4096);
        for (SocketChannel c : silent) {
            c.configureBlocking(false);
            int n;
            do {
                n = c.read(buf.clear());
            } while (n > 0);
            closed += n < 0 ? 1 : 0;
        }
        assertEquals("silent connections closed by the agent", silent.size(), closed);
        assertTrue(lab.shell("node1", "kubespan:config-status").contains("last load: ok"));
    }

    /** Threads of the process whose name starts with {@code prefix} (Linux cuts names at 15 characters). */
    private static int threads(long pid, String prefix) throws IOException {
        int n = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().startsWith(prefix)) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return n;
    }

    private SocketChannel connect(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        opened.add(c);
        return c;
    }

    private static void write(SocketChannel c, byte[] b) {
        Thread t = new Thread(() -> {
            try {
                c.write(ByteBuffer.wrap(b));
            } catch (IOException closedByTheAgent) {
                // expected once the agent has read its limit
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
