package dev.kubespan.wireguard.internal.uapi;

import static dev.kubespan.wireguard.internal.uapi.Fixtures.uapi;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.PeerChange;

/**
 * The client against a scripted AF_UNIX server that behaves like wireguard-go's listener (reads
 * one request up to its blank line, answers, closes). The replies are the recorded ones.
 */
public class UapiClientTest {
    private Path dir;
    private Path socket;
    private ServerSocketChannel server;
    private Thread thread;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("uapi-test");
        socket = dir.resolve("wgt0.sock");
    }

    @After
    public void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (thread != null) {
            thread.join(2000);
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }

    /** Serves connections: reads a request up to "\n\n" and writes {@code reply.apply(request)} (null: close). */
    private void serve(Function<String, String> reply) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    String request = readRequest(c);
                    requests.add(request);
                    String r = reply.apply(request);
                    if (r != null) {
                        c.write(ByteBuffer.wrap(r.getBytes(StandardCharsets.US_ASCII)));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    private static String readRequest(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1);
        while (c.read(b) > 0) {
            out.write(b.get(0));
            b.clear();
            String s = out.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\n\n")) {
                return s;
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    public void getSendsExactlyGetAndParsesTheReply() throws IOException {
        serve(r -> uapi("device-two-peers.txt"));
        var state = new UapiClient("wgfx1", socket).get().state();
        assertEquals(List.of("get=1\n\n"), requests);
        assertEquals(2, state.peers().size());
        assertEquals(51821, state.listenPort());
    }

    @Test
    public void eachRequestUsesItsOwnConnection() throws IOException {
        serve(r -> r.startsWith("get") ? uapi("device-fresh.txt") : uapi("set-ok.txt"));
        UapiClient client = new UapiClient("wgt0", socket);
        client.get();
        client.set(DeviceChange.ofPeers(List.of(PeerChange.remove(
                Key.fromBase64("d9bPGH001nIvQ4CcGZRm0ArphANNlKCTPpY0KmLROmg=")))));
        client.get();
        // the server answers one request per connection; three answers means three connections
        assertEquals(3, requests.size());
        assertTrue(requests.get(1).startsWith("set=1\npublic_key="));
        assertTrue(requests.get(1).endsWith("\nremove=true\n\n"));
    }

    @Test
    public void emptyChangeSendsNothing() throws IOException {
        serve(r -> uapi("set-ok.txt"));
        new UapiClient("wgt0", socket).set(DeviceChange.NONE);
        assertTrue(requests.isEmpty());
    }

    @Test
    public void nonZeroErrnoOnSetCarriesTheErrno() throws IOException {
        serve(r -> uapi("set-eaddrinuse.txt"));
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> new UapiClient("wgt0", socket).set(new DeviceChange(null, 51998, null, null)));
        assertEquals(98, e.errno());
    }

    @Test
    public void connectionClosedBeforeTheBlankLineIsAnError() throws IOException {
        serve(r -> "listen_port=5\nerr");
        WireGuardException e = assertThrows(WireGuardException.class, () -> new UapiClient("wgt0", socket).get());
        assertTrue(e.getMessage(), e.getMessage().contains("closed the connection"));
    }

    @Test
    public void connectionClosedWithoutReplyIsAnError() throws IOException {
        serve(r -> null);
        assertThrows(WireGuardException.class, () -> new UapiClient("wgt0", socket).get());
    }

    @Test
    public void silentDaemonTimesOut() throws IOException {
        serve(r -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> new UapiClient("wgt0", socket, Duration.ofMillis(200)).get());
        assertEquals(110, e.errno());
    }

    @Test
    public void missingSocketIsEnoent() {
        WireGuardException e = assertThrows(WireGuardException.class, () -> new UapiClient("wgt0", socket).get());
        assertEquals(2, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains(socket.toString()));
        assertFalse(new UapiClient("wgt0", socket).answers());
    }

    @Test
    public void staleSocketIsConnectionRefused() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
        }
        WireGuardException e = assertThrows(WireGuardException.class, () -> new UapiClient("wgt0", socket).get());
        assertEquals(111, e.errno());
        assertFalse(new UapiClient("wgt0", socket).answers());
    }

    @Test
    public void largeRepliesAreReadCompletely() throws IOException {
        StringBuilder big = new StringBuilder("listen_port=1\n");
        for (int i = 0; i < 3000; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            k[1] = (byte) (i >> 8);
            k[2] = 1;
            big.append("public_key=").append(Key.fromBytes(k).toHex()).append("\nallowed_ip=10.1.")
                    .append(i / 250).append('.').append(i % 250).append("/32\n");
        }
        big.append("errno=0\n\n");
        serve(r -> big.toString());
        assertEquals(3000, new UapiClient("wgt0", socket).get().state().peers().size());
    }
}
