package dev.kubespan.wireguard.internal.uapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.DeviceSnapshot;

/**
 * Talks to one wireguard-go over its UAPI socket: one request per connection (the daemon's
 * buffered reader may swallow a request pipelined behind a set), the request ends with the blank
 * line, the reply is read up to its blank line. Pure JDK: {@code SocketChannel} over AF_UNIX.
 */
public final class UapiClient {
    /** Enough for a 5000-peer set on a slow box (docs/wireguard.md §3.3: 376 ms). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String link;
    private final Path socket;
    private final Duration timeout;

    public UapiClient(String link, Path socket) {
        this(link, socket, DEFAULT_TIMEOUT);
    }

    public UapiClient(String link, Path socket, Duration timeout) {
        this.link = link;
        this.socket = socket;
        this.timeout = timeout;
    }

    public Path socket() {
        return socket;
    }

    public DeviceSnapshot get() {
        return UapiReplies.parseGet(link, exchange("get=1\n\n", "get"));
    }

    /**
     * Sends the change. On a non-zero errno the exception carries it; the daemon may have applied
     * the lines before the failing one, so the caller must re-read.
     */
    public void set(DeviceChange change) {
        if (change.isEmpty()) {
            return;
        }
        UapiReplies.checkSet(link, exchange(UapiSetRequest.render(change), "set"));
    }

    /** Whether a daemon answers a {@code get} on the socket right now. */
    public boolean answers() {
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            get();
            return true;
        } catch (WireGuardException e) {
            return false;
        }
    }

    /** Sends one request and returns the reply text, including its terminating blank line. */
    String exchange(String request, String op) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!Files.exists(socket)) {
            // connect() would only say "No such file or directory" in a plain SocketException
            throw missing();
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            try (Selector selector = Selector.open()) {
                write(ch, selector, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), deadline, op);
                return read(ch, selector, deadline, op);
            }
        } catch (NoSuchFileException e) {
            throw missing();
        } catch (ConnectException e) {
            throw new WireGuardException("UAPI socket " + socket + " of " + link + " refuses connections (no daemon)",
                    Errno.ECONNREFUSED);
        } catch (IOException e) {
            throw new WireGuardException("UAPI " + op + " on " + link + " via " + socket + " failed: " + e, e);
        }
    }

    private WireGuardException missing() {
        return new WireGuardException("UAPI socket " + socket + " of " + link + " does not exist", Errno.ENOENT);
    }

    private void write(SocketChannel ch, Selector selector, ByteBuffer out, long deadline, String op)
            throws IOException {
        SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
        while (out.hasRemaining()) {
            if (ch.write(out) == 0) {
                await(selector, deadline, op);
            }
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private String read(SocketChannel ch, Selector selector, long deadline, String op) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream(4096);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        byte prev = 0;
        boolean lineStart = true;
        while (true) {
            int n = ch.read(in);
            if (n < 0) {
                throw new WireGuardException("UAPI " + op + " on " + link + ": daemon closed the connection after "
                        + reply.size() + " bytes, before the end of the reply", Errno.EIO);
            }
            if (n == 0) {
                await(selector, deadline, op);
                continue;
            }
            in.flip();
            while (in.hasRemaining()) {
                byte b = in.get();
                reply.write(b);
                // the reply ends at the first empty line: "\n" right after "\n" (or as first byte)
                if (b == '\n' && (lineStart || prev == '\n')) {
                    if (in.hasRemaining()) {
                        throw new WireGuardException("UAPI " + op + " on " + link
                                + ": unexpected bytes after the end of the reply", 0);
                    }
                    return reply.toString(StandardCharsets.US_ASCII);
                }
                lineStart = false;
                prev = b;
            }
            in.clear();
        }
    }

    private void await(Selector selector, long deadline, String op) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
            throw new WireGuardException("UAPI " + op + " on " + link + ": no reply within " + timeout.toMillis()
                    + " ms", Errno.ETIMEDOUT);
        }
        selector.selectedKeys().clear();
    }
}
