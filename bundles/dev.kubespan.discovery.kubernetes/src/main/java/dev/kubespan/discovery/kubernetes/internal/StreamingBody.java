package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as a blocking stream that another thread can abort. The JDK's own
 * {@code BodyHandlers.ofInputStream()} does not wake a reader blocked on a silent watch when the
 * stream is closed; this one does: {@link #close()} cancels the subscription (dropping the
 * connection) and unblocks the reader, which then sees an {@link IOException}. The stream is
 * available as soon as the headers are, and pulls one chunk list at a time (back-pressure).
 *
 * <p>The server is not trusted to be brief: a {@link #limit} caps how much may be read (until
 * the next {@code limit} call, so a watch can give each event its own allowance), and a
 * {@link #deadline} caps how long the rest of the body may take. Past either the connection is
 * dropped and the reader gets an {@link IOException} saying which.
 */
final class StreamingBody extends InputStream implements HttpResponse.BodySubscriber<StreamingBody> {
    private static final List<ByteBuffer> END = List.of();

    private final BlockingQueue<List<ByteBuffer>> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<StreamingBody> body = CompletableFuture.completedFuture(this);
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private volatile Throwable failure;
    private Iterator<ByteBuffer> chunks = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean ended;
    // Reader thread only.
    private long allowance = Long.MAX_VALUE;
    private String tooLarge = "";
    private long deadline;
    private String tooSlow = "";

    /** From now on at most {@code bytes} more may be read; beyond, an IOException with {@code message}. */
    void limit(long bytes, String message) {
        allowance = bytes;
        tooLarge = message;
    }

    /** The body must be complete by {@code nanoTime} ({@link System#nanoTime()}); else an HttpTimeoutException. */
    void deadline(long nanoTime, String message) {
        deadline = nanoTime;
        tooSlow = message;
    }

    @Override
    public CompletionStage<StreamingBody> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        failure = t;
        queue.add(END);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        if (allowance <= 0) {
            close();
            throw new IOException(tooLarge);
        }
        int n = (int) Math.min(Math.min(len, current.remaining()), allowance);
        current.get(b, off, n);
        allowance -= n;
        return n;
    }

    /** Makes {@code current} non-empty; false at the end of the body. */
    private boolean fill() throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (closed) {
                throw new IOException("response stream closed");
            }
            if (chunks.hasNext()) {
                current = chunks.next();
                continue;
            }
            if (ended) {
                return false;
            }
            List<ByteBuffer> next;
            try {
                if (deadline == 0) {
                    next = queue.take();
                } else {
                    next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        close();
                        throw new HttpTimeoutException(tooSlow);
                    }
                }
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the response");
            }
            if (next == END) {
                if (closed) {
                    throw new IOException("response stream closed");
                }
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure);
                }
                ended = true;
                return false;
            }
            chunks = next.iterator();
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
        }
        return true;
    }

    /** Aborts the response from any thread; a blocked reader wakes with an IOException. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        queue.add(END);
    }
}
