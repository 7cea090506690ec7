package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kubespan.api.Backoff;
import dev.kubespan.api.Log;
import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.api.spec.ConnectionState;

/**
 * Keeps the {@link NodeCache} current on its own thread: list, then watch from the list's
 * resource version, re-watch from the last seen version when the server ends the stream, relist
 * when the version has expired (410 Gone), and back off with jitter on any error. Errors go to
 * the {@link RegistryState}; Node objects that cannot be read are logged and skipped.
 */
final class NodeWatcher implements AutoCloseable {
    /** Watches end server-side after 5 to 10 minutes, as client-go's reflector asks. */
    static final int MIN_WATCH_SECONDS = 300;
    /** A stream silent this long past its own timeout is taken for a dead connection. */
    private static final long STALL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long QUICK_END_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_LOGGED_PROBLEMS = 1000;
    /** A Node that stays unreadable is reported again after this long, with the count of repeats. */
    private static final Duration PROBLEM_REPEAT = Duration.ofHours(1);
    /** A problem or error text quotes what the server sent: keep it to a line. */
    private static final int MAX_MESSAGE_CHARS = 300;

    private final ApiConnection api;
    private final NodeCache cache;
    private final RegistryState state;
    private final Runnable changed;
    private final Log log;
    private final DoubleSupplier random;
    private final Backoff backoff;
    private final Thread thread;
    private final RateLimitedLog problems;
    private volatile boolean stopping;
    /** System.nanoTime after which the open stream counts as stalled; 0 when none is open. */
    private volatile long streamDeadline;
    private String resourceVersion;

    NodeWatcher(ApiConnection api, NodeCache cache, RegistryState state, Runnable changed, Log log,
            DoubleSupplier random) {
        this.api = api;
        this.cache = cache;
        this.state = state;
        this.changed = changed;
        this.log = log;
        this.problems = new RateLimitedLog(m -> log.warn("Kubernetes registry: " + m), System::nanoTime,
                PROBLEM_REPEAT, MAX_LOGGED_PROBLEMS);
        this.random = random;
        this.backoff = KubernetesRegistry.backoff(random);
        this.thread = new Thread(this::run, "kubespan-k8s-watch");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
    }

    void start() {
        thread.start();
    }

    /** Aborts the open watch if it outlived its timeout: a dead connection sends no FIN. */
    void abortIfStalled() {
        long deadline = streamDeadline;
        if (deadline != 0 && System.nanoTime() - deadline > 0) {
            log.info("Kubernetes registry: the Node watch went silent; reconnecting");
            api.abortStreams();
        }
    }

    @Override
    public void close() {
        stopping = true;
        api.abortStreams();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Kubernetes registry: the watch thread did not stop within 5 s");
        }
    }

    private void run() {
        int expired = 0;
        while (!stopping) {
            try {
                KubeApiClient client = api.client(true);
                if (resourceVersion == null) {
                    state.state(ConnectionState.CONNECTING);
                    KubeApiClient.NodeList<NodeView> list = client.listNodes(this::view);
                    cache.replaceAll(list.items());
                    resourceVersion = list.resourceVersion();
                    backoff.reset();
                    changed.run();
                }
                state.state(ConnectionState.CONNECTED);
                int timeout = MIN_WATCH_SECONDS + (int) (random.getAsDouble() * MIN_WATCH_SECONDS);
                long started = System.nanoTime();
                streamDeadline = started + TimeUnit.SECONDS.toNanos(timeout) + STALL_GRACE_NANOS;
                int[] events = { 0 };
                try {
                    client.watchNodes(resourceVersion, timeout, (type, object) -> {
                        events[0]++;
                        apply(type, object);
                    });
                } finally {
                    streamDeadline = 0;
                }
                expired = 0;
                if (events[0] == 0 && System.nanoTime() - started < QUICK_END_NANOS) {
                    // A server that ends every watch at once must not make us spin.
                    pause();
                } else {
                    backoff.reset();
                }
            } catch (KubeApiException e) {
                if (e.code() == KubeApiException.GONE) {
                    resourceVersion = null;
                    log.debug("Kubernetes registry: resource version expired (410 Gone); relisting Nodes");
                    if (++expired > 3) {
                        pause();
                    }
                    continue;
                }
                failed(e.getMessage());
            } catch (ClusterAccessException e) {
                failed(e.getMessage());
            } catch (IOException e) {
                if (stopping) {
                    break;
                }
                failed("API server " + state.endpoint() + ": " + describe(e));
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // A bug or bad data deep in a library must not end the watch for good.
                resourceVersion = null;
                failed("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void failed(String message) {
        if (stopping) {
            return;
        }
        state.error(shorten(message));
        state.state(ConnectionState.BACKOFF);
        pause();
    }

    private void pause() {
        Duration d = backoff.next();
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            stopping = true;
        }
    }

    private void apply(String type, JsonNode object) {
        String version = object.path("metadata").path("resourceVersion").asText("");
        switch (type) {
        case "ADDED", "MODIFIED" -> view(object).ifPresent(n -> {
            if (cache.size() >= KubeApiClient.MAX_NODES && cache.get(n.name()).isEmpty()) {
                problem("ignoring Node " + n.name() + ": more than " + KubeApiClient.MAX_NODES + " Nodes");
            } else {
                cache.put(n);
            }
        });
        case "DELETED" -> view(object).ifPresent(n -> cache.remove(n.name()));
        case "BOOKMARK" -> {
            // only the resource version moves on
        }
        default -> problem("ignoring a watch event of unknown type '" + type + "'");
        }
        if (!version.isEmpty() && version.length() <= 256) {
            resourceVersion = version;
        }
        changed.run();
    }

    private java.util.Optional<NodeView> view(JsonNode object) {
        try {
            return java.util.Optional.of(NodeView.of(object));
        } catch (RuntimeException e) {
            problem("skipping a Node: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    private void problem(String text) {
        String message = shorten(text);
        problems.log(message, message);
    }

    private static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        if (e instanceof SSLException) {
            return "TLS failed: " + e.getMessage();
        }
        if (e instanceof JsonProcessingException j) {
            // Its own message adds the position and a quote of the input; the reason is enough.
            return "the answer is not valid JSON: " + j.getOriginalMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String shorten(String s) {
        String t = String.valueOf(s).replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
        return t.length() > MAX_MESSAGE_CHARS ? t.substring(0, MAX_MESSAGE_CHARS) + "..." : t;
    }
}
