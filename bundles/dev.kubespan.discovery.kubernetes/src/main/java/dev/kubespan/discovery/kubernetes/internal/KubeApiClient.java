package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The three Node calls this registry makes, on the JDK HTTP client: list (paged), watch (a
 * stream of JSON events), and a strategic-merge patch of the annotations. HTTP/1.1, TLS with the
 * cluster CA, a bearer token or client certificate. {@link #close()} aborts open watch streams
 * and stops the client's threads; JDK 17's HttpClient has no close(), its selector thread ends by
 * itself once the client is unreferenced.
 */
final class KubeApiClient implements AutoCloseable {
    static final String NODES = "/api/v1/nodes";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    static final String USER_AGENT = "kubespan-osgi/0.1";
    private static final int PAGE_SIZE = 100;
    private static final int MAX_ERROR_BODY = 16 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Until the response headers are in. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    // Bounds no real API server comes near, so that a broken or hostile one cannot exhaust the
    // agent: etcd stores no object over 1.5 MiB, Kubernetes supports clusters of up to 5000 Nodes.
    // List pages are read as a stream, one Node at a time, so memory holds one Node's JSON, not a page's.
    /** The longest a list page, a patch answer or an error body may take once the headers are in. */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(60);
    /** The most one Node (in a list page, a watch event or a patch answer) may take. */
    static final int MAX_OBJECT_BYTES = 4 << 20;
    static final int MAX_NODES = 5000;
    private static final int MAX_PAGES = MAX_NODES;
    private static final int MAX_MESSAGE_CHARS = 300;
    private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern
            .compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** The node list, each item as read by the caller, and the list's resource version. */
    record NodeList<T>(List<T> items, String resourceVersion) {
    }

    /** One page: its resource version and continue token. */
    private record Page(String resourceVersion, String cont) {
    }

    /** Receives the items of a list page, one at a time. */
    private interface ItemSink {
        void item(JsonNode item) throws IOException;
    }

    /** Receives watch events: {@code ADDED}, {@code MODIFIED}, {@code DELETED}, {@code BOOKMARK}. */
    interface WatchHandler {
        void event(String type, JsonNode object);
    }

    private final ClusterAccess access;
    private final ObjectMapper json;
    /** Reads answers within bounds no Node comes near: nesting, string and name lengths. */
    private final ObjectMapper reader;
    private final Duration bodyTimeout;
    private final String base;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Set<StreamingBody> openStreams = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    KubeApiClient(ClusterAccess access, ObjectMapper json) throws ClusterAccessException {
        this(access, json, BODY_TIMEOUT);
    }

    KubeApiClient(ClusterAccess access, ObjectMapper json, Duration bodyTimeout) throws ClusterAccessException {
        this.access = access;
        this.json = json;
        this.bodyTimeout = bodyTimeout;
        this.reader = new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1 << 20).maxNameLength(4096).maxNumberLength(64).build()).build());
        String s = access.server().toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        int n = CLIENTS.incrementAndGet();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kubespan-k8s-http-" + n);
            t.setDaemon(true);
            t.setContextClassLoader(null);
            return t;
        });
        Thread current = Thread.currentThread();
        ClassLoader tccl = current.getContextClassLoader();
        // The client's selector thread inherits the context class loader: never let it pin ours.
        current.setContextClassLoader(null);
        try {
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                    .sslContext(access.sslContext()).executor(executor).followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        } catch (ClusterAccessException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        } finally {
            current.setContextClassLoader(tccl);
        }
    }

    ClusterAccess access() {
        return access;
    }

    /**
     * Every Node, following {@code continue} tokens; the resource version is the list's. Each
     * Node is handed to {@code read} as soon as it is parsed (its JSON is dropped right after),
     * and kept when {@code read} returns a value.
     */
    <T> NodeList<T> listNodes(java.util.function.Function<JsonNode, Optional<T>> read)
            throws IOException, InterruptedException, KubeApiException, ClusterAccessException {
        List<T> items = new ArrayList<>();
        int[] count = { 0 };
        String cont = "";
        String version = null;
        int pages = 0;
        do {
            if (++pages > MAX_PAGES) {
                throw new IOException("list nodes: the server sent more than " + MAX_PAGES + " pages");
            }
            String query = "?limit=" + PAGE_SIZE + (cont.isEmpty() ? "" : "&continue=" + encode(cont));
            Page page = listPage(request(NODES + query, REQUEST_TIMEOUT).GET(), item -> {
                if (++count[0] > MAX_NODES) {
                    throw new IOException("list nodes: more than " + MAX_NODES + " Nodes");
                }
                read.apply(item).ifPresent(items::add);
            });
            if (version == null) {
                // Every page is cut from the first page's snapshot; should a server not keep to
                // that, watching from the earliest version replays rather than loses changes.
                version = page.resourceVersion();
            }
            cont = page.cont();
        } while (!cont.isEmpty());
        if (version.isEmpty()) {
            throw new IOException("list nodes: the answer has no metadata.resourceVersion");
        }
        return new NodeList<>(items, version);
    }

    /** Reads one list page as a stream: the items one by one, the metadata, nothing else kept. */
    private Page listPage(HttpRequest.Builder b, ItemSink sink)
            throws IOException, InterruptedException, KubeApiException {
        String action = "list nodes";
        HttpResponse<StreamingBody> r = open(b);
        StreamingBody in = r.body();
        try (in) {
            in.deadline(System.nanoTime() + bodyTimeout.toNanos(),
                    action + ": the answer took longer than " + bodyTimeout.toSeconds() + " s");
            if (r.statusCode() / 100 != 2) {
                throw error(r.statusCode(), in, action);
            }
            String tooLarge = action + ": a Node (or the list's metadata) is larger than "
                    + (MAX_OBJECT_BYTES >> 20) + " MiB";
            in.limit(MAX_OBJECT_BYTES, tooLarge);
            String version = "";
            String cont = "";
            try (JsonParser p = reader.createParser(in)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException(action + ": the answer is not a JSON object");
                }
                JsonToken f;
                while ((f = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    if (field.equals("items") && t == JsonToken.START_ARRAY) {
                        for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                            if (i == null) {
                                throw new IOException(action + ": the answer ends inside 'items'");
                            }
                            JsonNode item = reader.readTree(p);
                            in.limit(MAX_OBJECT_BYTES, tooLarge);
                            sink.item(item);
                        }
                    } else if (field.equals("items") && t != JsonToken.VALUE_NULL) {
                        throw new IOException(action + ": 'items' is not a list");
                    } else if (field.equals("metadata") && t == JsonToken.START_OBJECT) {
                        JsonNode md = reader.readTree(p);
                        version = md.path("resourceVersion").asText("");
                        cont = md.path("continue").asText("");
                        if (version.length() > 256 || cont.length() > 4096) {
                            throw new IOException(action + ": metadata.resourceVersion or continue is too long");
                        }
                    } else {
                        p.skipChildren();
                    }
                    in.limit(MAX_OBJECT_BYTES, tooLarge);
                }
                if (f != JsonToken.END_OBJECT) {
                    throw new IOException(action + ": the answer ends early");
                }
            }
            return new Page(version, cont);
        } finally {
            openStreams.remove(in);
        }
    }

    /**
     * Watches Nodes from {@code resourceVersion} until the server ends the stream (normally after
     * {@code timeoutSeconds}), the client is closed, or an error occurs. An expired resource
     * version comes out as a {@link KubeApiException} with code {@link KubeApiException#GONE}.
     */
    void watchNodes(String resourceVersion, int timeoutSeconds, WatchHandler handler)
            throws IOException, InterruptedException, KubeApiException, ClusterAccessException {
        String query = "?watch=1&allowWatchBookmarks=true&resourceVersion=" + encode(resourceVersion)
                + "&timeoutSeconds=" + timeoutSeconds;
        HttpResponse<StreamingBody> r = open(request(NODES + query, REQUEST_TIMEOUT).GET());
        StreamingBody in = r.body();
        try (in) {
            if (r.statusCode() != 200) {
                throw error(r.statusCode(), in, "watch nodes");
            }
            String tooLarge = "watch nodes: an event is larger than " + (MAX_OBJECT_BYTES >> 20) + " MiB";
            in.limit(MAX_OBJECT_BYTES, tooLarge);
            try (JsonParser p = reader.createParser(in)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t != JsonToken.START_OBJECT) {
                        throw new IOException("watch nodes: expected a JSON object in the stream, got " + t);
                    }
                    JsonNode event = reader.readTree(p);
                    in.limit(MAX_OBJECT_BYTES, tooLarge); // each event has its own allowance
                    String type = event.path("type").asText("");
                    JsonNode object = event.path("object");
                    if (type.equals("ERROR")) {
                        throw statusError(object, "watch nodes");
                    }
                    handler.event(type, object);
                }
            }
        } finally {
            openStreams.remove(in);
        }
    }

    /**
     * Sends a request and returns once the headers are in; the body is an abortable stream,
     * registered so that {@link #abortStreams()} and {@link #close()} reach it.
     */
    private HttpResponse<StreamingBody> open(HttpRequest.Builder b) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("client closed");
        }
        StreamingBody body = new StreamingBody();
        // Our own future, so that close() can release a caller still waiting for headers: the
        // JDK client's own future may never complete once its executor is shut down.
        CompletableFuture<HttpResponse<StreamingBody>> response = new CompletableFuture<>();
        openStreams.add(body);
        pending.add(response);
        try {
            http.sendAsync(b.build(), info -> body).whenComplete((r, e) -> {
                if (e != null) {
                    response.completeExceptionally(e);
                } else if (!response.complete(r)) {
                    r.body().close(); // nobody is waiting any more
                }
            });
            if (closed) {
                response.completeExceptionally(new IOException("client closed"));
            }
            return response.get();
        } catch (ExecutionException e) {
            body.close();
            openStreams.remove(body);
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause()
                    : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        } catch (InterruptedException | RuntimeException e) {
            body.close();
            openStreams.remove(body);
            throw e;
        } finally {
            pending.remove(response);
        }
    }

    /** Strategic-merge-patches the Node's annotations; a null value removes that annotation. */
    JsonNode patchNodeAnnotations(String node, Map<String, String> annotations)
            throws IOException, InterruptedException, KubeApiException, ClusterAccessException {
        if (!NODE_NAME.matcher(node).matches()) {
            throw new IOException("'" + node + "' is not a valid Node name");
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode a = body.putObject("metadata").putObject("annotations");
        annotations.forEach((k, v) -> {
            if (v == null) {
                a.putNull(k);
            } else {
                a.put(k, v);
            }
        });
        HttpRequest.Builder b = request(NODES + "/" + node, REQUEST_TIMEOUT)
                .header("Content-Type", STRATEGIC_MERGE_PATCH)
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        return send(b, "patch Node " + node);
    }

    /** Ends every open watch stream (their readers see an IOException). */
    void abortStreams() {
        openStreams.forEach(StreamingBody::close);
    }

    @Override
    public void close() {
        closed = true;
        pending.forEach(f -> f.completeExceptionally(new IOException("client closed")));
        abortStreams();
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest.Builder request(String pathAndQuery, Duration timeout) throws ClusterAccessException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                .header("Accept", "application/json").header("User-Agent", USER_AGENT);
        Optional<String> token = access.bearerToken();
        if (token.isPresent()) {
            b.header("Authorization", "Bearer " + token.get());
        }
        return b;
    }

    private JsonNode send(HttpRequest.Builder b, String action)
            throws IOException, InterruptedException, KubeApiException {
        HttpResponse<StreamingBody> r = open(b);
        StreamingBody in = r.body();
        try (in) {
            in.deadline(System.nanoTime() + bodyTimeout.toNanos(),
                    action + ": the answer took longer than " + bodyTimeout.toSeconds() + " s");
            if (r.statusCode() / 100 != 2) {
                throw error(r.statusCode(), in, action);
            }
            in.limit(MAX_OBJECT_BYTES, action + ": the answer is larger than " + (MAX_OBJECT_BYTES >> 20) + " MiB");
            JsonNode n = reader.readTree(in);
            if (n == null || !n.isObject()) {
                throw new IOException(action + ": the answer is not a JSON object");
            }
            return n;
        } finally {
            openStreams.remove(in);
        }
    }

    private KubeApiException error(int code, StreamingBody in, String action) {
        JsonNode status = null;
        try {
            in.deadline(System.nanoTime() + bodyTimeout.toNanos(), "error body too slow");
            byte[] body = in.readNBytes(MAX_ERROR_BODY);
            status = reader.readTree(body);
        } catch (IOException | RuntimeException notJson) {
            // fall back to the bare code
        }
        return describe(code, status, action);
    }

    private static KubeApiException statusError(JsonNode status, String action) {
        int code = status.path("code").asInt(0);
        return describe(code, status, action);
    }

    private static KubeApiException describe(int code, JsonNode status, String action) {
        String reason = status == null ? "" : status.path("reason").asText("");
        String message = status == null ? "" : status.path("message").asText("");
        if (reason.isEmpty() || reason.length() > 64 || !reason.matches("[A-Za-z]+")) {
            reason = standardReason(code);
        }
        StringBuilder sb = new StringBuilder(action).append(": HTTP ").append(code);
        if (!reason.isEmpty()) {
            sb.append(' ').append(reason);
        }
        if (!message.isEmpty()) {
            sb.append(": ").append(message.length() > MAX_MESSAGE_CHARS
                    ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
        }
        return new KubeApiException(code, sb.toString());
    }

    private static String standardReason(int code) {
        switch (code) {
        case 400: return "BadRequest";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "NotFound";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 415: return "UnsupportedMediaType";
        case 422: return "Invalid";
        case 429: return "TooManyRequests";
        case 500: return "InternalError";
        case 503: return "ServiceUnavailable";
        default: return "";
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
