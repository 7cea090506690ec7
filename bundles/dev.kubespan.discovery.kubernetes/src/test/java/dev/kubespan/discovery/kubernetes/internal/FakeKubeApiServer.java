package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

/**
 * A Kubernetes API server reduced to the Node endpoints the registry uses, served over real TLS
 * on 127.0.0.1 with real semantics: one global resource version; list with {@code limit} and
 * {@code continue}; watch from a resource version as a chunked stream of JSON events (history
 * replayed, then live), ending after {@code timeoutSeconds}; list pages cut from one snapshot; an expired version answered with
 * an ERROR event carrying a 410 Status (or an HTTP 410, as some servers do); PATCH with
 * {@code application/strategic-merge-patch+json} (for maps such as annotations it is a JSON merge
 * patch: null deletes); DELETE; POST. Authentication by bearer token or client certificate (CN);
 * unknown callers get 401, users marked forbidden get 403, both as Status objects.
 *
 * <p>It can also {@link #misbehave} as a broken or hostile server would, per kind of request:
 * answer random bytes, an endless object, more Nodes than any cluster has, JSON nested without
 * end, a body cut short, a body one byte at a time, or garbage in the watch stream; it counts what
 * it managed to send before the client hung up ({@link #misbehavingBytesSent()}).
 */
final class FakeKubeApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODES = "/api/v1/nodes";

    /** One recorded change, replayed to watchers that start from an older version. */
    private record Event(long version, String type, ObjectNode object) {
    }

    /** A PATCH as it arrived. */
    record PatchRequest(String node, String contentType, String user, JsonNode body) {
    }

    /** An answer given instead of the proper one; {@code out} counts what reaches the client. */
    @FunctionalInterface
    interface Misbehaviour {
        void answer(HttpExchange x, OutputStream out) throws IOException;
    }

    private final Map<String, Misbehaviour> misbehaving = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong misbehavingBytes =
            new java.util.concurrent.atomic.AtomicLong();

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-kube-apiserver");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Set<String> forbidden = ConcurrentHashMap.newKeySet();
    private final List<PatchRequest> patches = new CopyOnWriteArrayList<>();
    private final List<HttpExchange> openWatches = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger lists = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger expiredWatches =
            new java.util.concurrent.atomic.AtomicInteger();

    // Guarded by this.
    private final TreeMap<String, ObjectNode> nodes = new TreeMap<>();
    private final List<Event> history = new ArrayList<>();
    private long version = 100;
    private long compactedUpTo;
    private int maxPageSize = 2;
    private boolean goneAsHttpStatus;
    private boolean unavailable;
    private int watchGeneration;
    private boolean closed;

    FakeKubeApiServer(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.setExecutor(executor);
        server.createContext(NODES, this::handle);
        server.start();
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    void allowToken(String token, String user) {
        tokens.put(token, user);
    }

    void revokeToken(String token) {
        tokens.remove(token);
    }

    void forbid(String user) {
        forbidden.add(user);
    }

    void permit(String user) {
        forbidden.remove(user);
    }

    synchronized void goneAsHttpStatus(boolean b) {
        goneAsHttpStatus = b;
    }

    /** While unavailable, every request gets 503 and open watches are ended. */
    synchronized void unavailable(boolean b) {
        unavailable = b;
        if (b) {
            dropWatches();
        }
    }

    /** Forgets the history up to now, as etcd compaction does: older versions become 410 Gone. */
    synchronized void compact() {
        compactedUpTo = version;
        history.clear();
    }

    /**
     * Other resources were written and the history compacted (etcd's revision is global): every
     * watcher's version is now too old, so its re-watch gets 410 Gone and it lists again.
     */
    synchronized void expireWatches() {
        version++;
        compact();
        dropWatches();
    }

    /** Ends every open watch stream cleanly; clients re-watch from their last version. */
    synchronized void dropWatches() {
        watchGeneration++;
        notifyAll();
    }

    /** From now on, requests of {@code verb} ({@code list}, {@code watch}, {@code patch}) get {@code m}. */
    void misbehave(String verb, Misbehaviour m) {
        misbehaving.put(verb, m);
    }

    /** Proper answers again. */
    void behave() {
        misbehaving.clear();
    }

    /** Bytes of misbehaving answers that were written before the client hung up. */
    long misbehavingBytesSent() {
        return misbehavingBytes.get();
    }

    /** 200 and {@code size} random bytes (no newline, so not even a line of JSON). */
    static Misbehaviour garbage(long seed, int size) {
        return (x, out) -> {
            byte[] b = new byte[size];
            new java.util.Random(seed).nextBytes(b);
            for (int i = 0; i < b.length; i++) {
                b[i] = b[i] == '\n' ? (byte) 0x80 : b[i];
            }
            ok(x);
            out.write(b);
        };
    }

    /**
     * A list whose one Node has annotations without end, each a kilobyte (so no single string is
     * out of bounds): {@code limit} bytes, or until the client hangs up.
     */
    static Misbehaviour endlessNode(long limit) {
        return endless(limit, "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[{\"metadata\":"
                + "{\"name\":\"huge\",\"annotations\":{", "}}}]}");
    }

    /** A watch event of the same kind. */
    static Misbehaviour endlessEvent(long limit) {
        return endless(limit, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"huge\",\"annotations\":{",
                "}}}}\n");
    }

    private static Misbehaviour endless(long limit, String head, String tail) {
        return (x, out) -> {
            ok(x);
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            String value = "A".repeat(1000);
            StringBuilder chunk = new StringBuilder();
            long sent = 0;
            for (int i = 0; sent < limit; i++) {
                chunk.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append(value).append('"');
                if (chunk.length() > 60_000) {
                    byte[] b = chunk.toString().getBytes(StandardCharsets.US_ASCII);
                    out.write(b);
                    sent += b.length;
                    chunk.setLength(0);
                }
            }
            out.write(tail.getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** A list whose one Node has a name of {@code length} characters, in one string. */
    static Misbehaviour longString(int length) {
        return (x, out) -> {
            ok(x);
            out.write(("{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[{\"metadata\":"
                    + "{\"name\":\"").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'n');
            for (int sent = 0; sent < length; sent += chunk.length) {
                out.write(chunk);
            }
            out.write("\"}}]}".getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** A list of {@code n} small but proper Nodes in one page. */
    static Misbehaviour nodes(int n) {
        return (x, out) -> {
            ok(x);
            out.write("{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":["
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < n; i++) {
                out.write(((i == 0 ? "" : ",") + "{\"metadata\":{\"name\":\"n" + i + "\",\"resourceVersion\":\"1\"}}")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.write("]}".getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** {@code {"items":[[[[...} nested {@code depth} deep. */
    static Misbehaviour nested(int depth) {
        return (x, out) -> {
            ok(x);
            out.write("{\"items\":".getBytes(StandardCharsets.US_ASCII));
            out.write("[".repeat(depth).getBytes(StandardCharsets.US_ASCII));
            out.write("]".repeat(depth).getBytes(StandardCharsets.US_ASCII));
            out.write("}".getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** The start of a proper answer, then the end of the connection. */
    static Misbehaviour cutShort() {
        return (x, out) -> {
            ok(x);
            out.write("{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[{\"metadata\":"
                    .getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** A proper empty list, one byte every {@code interval}. */
    static Misbehaviour slowly(java.time.Duration interval) {
        return (x, out) -> {
            ok(x);
            for (byte b : "{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}"
                    .getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        };
    }

    /** A watch stream that carries {@code lines} (events or anything else), then stays open a while. */
    static Misbehaviour watchLines(String... lines) {
        return (x, out) -> {
            ok(x);
            for (String l : lines) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                // closing
            }
        };
    }

    private static void ok(HttpExchange x) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, 0);
    }

    /** Passes bytes on and counts those the client took. */
    private final class Counting extends OutputStream {
        private final OutputStream out;

        Counting(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            misbehavingBytes.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            misbehavingBytes.addAndGet(len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    List<PatchRequest> patches() {
        return List.copyOf(patches);
    }

    /** Completed first pages of a list (a list from scratch). */
    int listCount() {
        return lists.get();
    }

    /** Watches refused because their resource version was compacted away. */
    int expiredWatchCount() {
        return expiredWatches.get();
    }

    int openWatchCount() {
        return openWatches.size();
    }

    // ---- what other actors (kubelet, an administrator) do, recorded like API calls ----

    /** Registers a Node as a kubelet would: labels, a Hostname and an InternalIP address, an OS image. */
    synchronized ObjectNode createNode(String name, boolean controlPlane, String hostname, String internalIp,
            String osImage) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "Node").put("apiVersion", "v1");
        ObjectNode md = n.putObject("metadata");
        md.put("name", name);
        ObjectNode labels = md.putObject("labels");
        labels.put("kubernetes.io/hostname", hostname);
        if (controlPlane) {
            labels.put(NodeView.CONTROL_PLANE_LABEL, "");
        }
        md.putObject("annotations").put("node.alpha.kubernetes.io/ttl", "0");
        ObjectNode status = n.putObject("status");
        ArrayNode addresses = status.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", internalIp);
        addresses.addObject().put("type", "Hostname").put("address", hostname);
        status.putObject("nodeInfo").put("osImage", osImage).put("kubeletVersion", "v1.31.0");
        return create(n);
    }

    synchronized ObjectNode create(ObjectNode n) {
        String name = n.path("metadata").path("name").asText();
        if (nodes.containsKey(name)) {
            throw new IllegalStateException("Node " + name + " exists");
        }
        return record("ADDED", name, n);
    }

    /** Applies a JSON merge patch as an administrator's kubectl would. */
    synchronized ObjectNode patch(String name, JsonNode patch) {
        ObjectNode n = nodes.get(name);
        if (n == null) {
            return null;
        }
        ObjectNode updated = n.deepCopy();
        merge(updated, patch);
        return record("MODIFIED", name, updated);
    }

    synchronized boolean delete(String name) {
        ObjectNode n = nodes.get(name);
        if (n == null) {
            return false;
        }
        record("DELETED", name, n.deepCopy());
        return true;
    }

    synchronized Map<String, String> annotations(String name) {
        ObjectNode n = nodes.get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (n != null) {
            n.path("metadata").path("annotations").properties()
                    .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    private ObjectNode record(String type, String name, ObjectNode n) {
        version++;
        ((ObjectNode) n.path("metadata")).put("resourceVersion", Long.toString(version));
        if (type.equals("DELETED")) {
            nodes.remove(name);
        } else {
            nodes.put(name, n);
        }
        history.add(new Event(version, type, n.deepCopy()));
        notifyAll();
        return n.deepCopy();
    }

    /** RFC 7386; for Node metadata maps this is what a strategic merge patch does. */
    private static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.path(e.getKey()).isObject()) {
                merge((ObjectNode) target.get(e.getKey()), v);
            } else if (v.isObject()) {
                ObjectNode fresh = target.putObject(e.getKey());
                merge(fresh, v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }

    // ---- HTTP ----

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            synchronized (this) {
                if (unavailable) {
                    status(x, 503, "ServiceUnavailable", "the server is currently unable to handle the request");
                    return;
                }
            }
            String user = authenticate(x);
            if (user == null) {
                status(x, 401, "Unauthorized", "Unauthorized");
                return;
            }
            String path = x.getRequestURI().getPath();
            String name = path.length() > NODES.length() + 1 ? path.substring(NODES.length() + 1) : "";
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            String method = x.getRequestMethod();
            String verb = method.equals("GET") ? (query.containsKey("watch") ? "watch" : name.isEmpty() ? "list" : "get")
                    : method.equals("PATCH") ? "patch" : method.equals("DELETE") ? "delete" : "create";
            Misbehaviour m = misbehaving.get(verb);
            if (m != null) {
                m.answer(x, new Counting(x.getResponseBody()));
                return;
            }
            if (forbidden.contains(user)) {
                status(x, 403, "Forbidden", "nodes" + (name.isEmpty() ? "" : " \"" + name + "\"")
                        + " is forbidden: User \"" + user + "\" cannot " + verb
                        + " resource \"nodes\" in API group \"\" at the cluster scope");
                return;
            }
            switch (verb) {
            case "list" -> list(x, query);
            case "watch" -> watch(x, query);
            case "get" -> get(x, name);
            case "patch" -> patchRequest(x, name, user);
            case "delete" -> deleteRequest(x, name);
            default -> createRequest(x);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private String authenticate(HttpExchange x) {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            return auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
        }
        SSLSession session = ((com.sun.net.httpserver.HttpsExchange) x).getSSLSession();
        try {
            Certificate[] peer = session.getPeerCertificates();
            String dn = ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
            for (String part : dn.split(",")) {
                if (part.startsWith("CN=")) {
                    return part.substring(3);
                }
            }
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            // anonymous
        }
        return null;
    }

    /** A list in progress: every page comes from the snapshot its first page was cut from. */
    private record Snapshot(long version, List<ObjectNode> items) {
    }

    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    private void list(HttpExchange x, Map<String, String> q) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        synchronized (this) {
            int limit = Math.min(maxPageSize, Integer.parseInt(q.getOrDefault("limit", "500")));
            String token = q.getOrDefault("continue", "");
            Snapshot snap;
            int offset;
            if (token.isEmpty()) {
                lists.incrementAndGet();
                List<ObjectNode> copy = new ArrayList<>();
                nodes.values().forEach(n -> copy.add(n.deepCopy()));
                snap = new Snapshot(version, copy);
                token = Long.toString(version) + "-" + lists.get();
                snapshots.put(token, snap);
                offset = 0;
            } else {
                int dash = token.lastIndexOf(':');
                offset = Integer.parseInt(token.substring(dash + 1));
                token = token.substring(0, dash);
                snap = snapshots.get(token);
                if (snap == null || snap.version < compactedUpTo) {
                    status(x, 410, "Expired", "The provided continue parameter is too old");
                    return;
                }
            }
            out.put("kind", "NodeList").put("apiVersion", "v1");
            ObjectNode md = out.putObject("metadata");
            md.put("resourceVersion", Long.toString(snap.version));
            ArrayNode items = out.putArray("items");
            for (int i = offset; i < Math.min(snap.items.size(), offset + limit); i++) {
                items.add(snap.items.get(i));
            }
            if (offset + limit < snap.items.size()) {
                md.put("continue", token + ":" + (offset + limit));
            }
        }
        send(x, 200, out);
    }

    private void get(HttpExchange x, String name) throws IOException {
        ObjectNode n;
        synchronized (this) {
            n = nodes.get(name);
        }
        if (n == null) {
            status(x, 404, "NotFound", "nodes \"" + name + "\" not found");
        } else {
            send(x, 200, n);
        }
    }

    private void watch(HttpExchange x, Map<String, String> q) throws IOException {
        long from = Long.parseLong(q.getOrDefault("resourceVersion", "0"));
        long timeoutMillis = TimeUnit.SECONDS.toMillis(Long.parseLong(q.getOrDefault("timeoutSeconds", "1800")));
        boolean gone;
        boolean httpGone;
        int generation;
        // The generation is taken with the version check: an expireWatches() between the two
        // would leave this watch on the new generation, never dropped and never told it is gone.
        synchronized (this) {
            gone = from < compactedUpTo;
            httpGone = goneAsHttpStatus;
            generation = watchGeneration;
        }
        if (gone) {
            expiredWatches.incrementAndGet();
        }
        if (gone && httpGone) {
            status(x, 410, "Expired", "too old resource version: " + from + " (" + compactedUpTo + ")");
            return;
        }
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        if (gone) {
            ObjectNode ev = JSON.createObjectNode().put("type", "ERROR");
            ev.set("object", statusObject(410, "Expired", "too old resource version: " + from));
            writeLine(out, ev);
            return;
        }
        openWatches.add(x);
        try {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            long sent = from;
            while (true) {
                List<Event> pending = new ArrayList<>();
                synchronized (this) {
                    while (!closed && generation == watchGeneration && lastVersionInHistory() <= sent
                            && System.currentTimeMillis() < deadline) {
                        try {
                            wait(Math.max(1, deadline - System.currentTimeMillis()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (closed || generation != watchGeneration || System.currentTimeMillis() >= deadline) {
                        return;
                    }
                    for (Event e : history) {
                        if (e.version > sent) {
                            pending.add(e);
                        }
                    }
                }
                for (Event e : pending) {
                    ObjectNode ev = JSON.createObjectNode().put("type", e.type);
                    ev.set("object", e.object);
                    writeLine(out, ev);
                    sent = e.version;
                }
            }
        } finally {
            openWatches.remove(x);
        }
    }

    private long lastVersionInHistory() {
        return history.isEmpty() ? 0 : history.get(history.size() - 1).version;
    }

    private void patchRequest(HttpExchange x, String name, String user) throws IOException {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        JsonNode body = JSON.readTree(x.getRequestBody());
        patches.add(new PatchRequest(name, type, user, body));
        if (!"application/strategic-merge-patch+json".equals(type)) {
            status(x, 415, "UnsupportedMediaType", "the body of the request was in an unknown format");
            return;
        }
        ObjectNode n = patch(name, body);
        if (n == null) {
            status(x, 404, "NotFound", "nodes \"" + name + "\" not found");
        } else {
            send(x, 200, n);
        }
    }

    private void deleteRequest(HttpExchange x, String name) throws IOException {
        if (delete(name)) {
            send(x, 200, statusObject(200, "", "").put("status", "Success"));
        } else {
            status(x, 404, "NotFound", "nodes \"" + name + "\" not found");
        }
    }

    private void createRequest(HttpExchange x) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(x.getRequestBody());
        try {
            send(x, 201, create(n));
        } catch (IllegalStateException exists) {
            status(x, 409, "AlreadyExists", exists.getMessage());
        }
    }

    private static ObjectNode statusObject(int code, String reason, String message) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        return s;
    }

    private static void status(HttpExchange x, int code, String reason, String message) throws IOException {
        send(x, code, statusObject(code, reason, message));
    }

    private static void send(HttpExchange x, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        x.getResponseBody().write(bytes);
    }

    private static void writeLine(OutputStream out, JsonNode event) throws IOException {
        out.write(JSON.writeValueAsBytes(event));
        out.write('\n');
        out.flush();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
