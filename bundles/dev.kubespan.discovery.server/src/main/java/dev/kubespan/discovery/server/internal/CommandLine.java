package dev.kubespan.discovery.server.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.discovery.server.internal.state.Limits;
import dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings;

/**
 * Flags of the standalone server, named as the reference server's (docs/discovery-protocol.md §4.9).
 * {@code --flag value}, {@code --flag=value} and single-dash forms are accepted; booleans may be
 * given without a value.
 */
public final class CommandLine {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** Flag name → {default, description}. */
    static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

    static {
        flag("addr", ":3000", "gRPC listen address (host:port or :port)");
        flag("metrics-addr", ":2122", "Prometheus metrics listen address; empty disables");
        flag("certificate-path", "", "TLS certificate chain (PEM); with --key-path serves TLS, else h2c");
        flag("key-path", "", "TLS private key (PEM, PKCS#8)");
        flag("gc-interval", "1m", "garbage collection interval");
        flag("redirect-endpoint", "", "host:port sent in every Hello to redirect clients");
        flag("snapshots-enabled", "true", "save and restore state snapshots");
        flag("snapshot-path", "", "snapshot file (default ${kubespan.home}/data/discovery/state.bin, or ./data/...)");
        flag("snapshot-interval", "10m", "interval between periodic snapshots");
        // Off by default (the reference binary trusts both): any client can set these headers.
        flag("trust-x-real-ip", "false", "take the client IP from the X-Real-IP header (only behind a proxy that sets it)");
        flag("trust-first-x-forwarded-for", "false",
                "take the client IP from the first X-Forwarded-For entry (only behind a proxy that sets it)");
        flag("rate-limit", "15", "requests per second per client IP (0 disables)");
        flag("rate-burst", "60", "token bucket burst per client IP");
        flag("debug", "false", "debug logging");

        // Limits against hostile or broken clients; 0 turns a cap off.
        flag("trusted-proxies", "", "comma-separated CIDRs whose forwarding headers are believed (empty: any peer, when trusted)");
        flag("handshake-timeout", "10s", "close a connection that has not completed TLS and the HTTP/2 preface by then");
        flag("idle-timeout", "1m", "close a connection that has had no call for this long");
        flag("keepalive-time", "2m", "ping a silent connection after this long");
        flag("keepalive-timeout", "20s", "close a connection whose ping is not answered within this time");
        flag("max-connections", "10000", "open connections in total (0: no cap)");
        flag("max-connections-per-ip", "100", "open connections per client IP (0: no cap)");
        flag("max-calls-per-connection", "100", "concurrent calls per connection, HTTP/2 MAX_CONCURRENT_STREAMS (0: no cap)");
        flag("max-calls-per-ip", "200", "concurrent calls per client IP, waiting ones included (0: no cap)");
        flag("rate-max-wait", "10s", "longest wait for a rate-limit token; a call that would wait longer is refused");
        flag("rate-max-waiting", "1000", "calls waiting for a rate-limit token at once, all clients together");
        flag("call-threads", "8", "threads that run calls");
        // --- state backend and server-wide caps ---
        flag("state", "memory", "where the state lives: memory (this process, with snapshots) or etcd (shared by replicas)");
        flag("etcd-endpoints", "", "etcd client URLs, comma-separated (http://10.0.0.1:2379,http://10.0.0.2:2379; https:// for TLS)");
        flag("etcd-prefix", EtcdSettings.DEFAULT_PREFIX, "etcd key prefix of this deployment (replicas of one deployment share it)");
        flag("etcd-ca", "", "CA certificate (PEM) that signed the etcd server certificates");
        flag("etcd-cert", "", "client certificate (PEM) for etcd TLS client authentication");
        flag("etcd-key", "", "client key (PEM, PKCS#8) for --etcd-cert");
        flag("etcd-user", "", "etcd user (etcd authentication)");
        flag("etcd-password-file", "", "file holding the etcd user's password (kept out of the command line)");
        flag("etcd-timeout", "5s", "timeout of one etcd request, retries included");
        flag("max-clusters", String.valueOf(Limits.DEFAULT_MAX_CLUSTERS), "clusters holding affiliates at most (RESOURCE_EXHAUSTED beyond)");
        flag("max-affiliates", String.valueOf(Limits.DEFAULT_MAX_AFFILIATES), "affiliates over all clusters at most (RESOURCE_EXHAUSTED beyond)");
    }

    private static void flag(String name, String def, String help) {
        FLAGS.put(name, new String[] {def, help});
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    private CommandLine() {
        FLAGS.forEach((k, v) -> values.put(k, v[0]));
    }

    /** Parses arguments; throws IllegalArgumentException naming the bad flag. */
    public static CommandLine parse(String[] args) {
        CommandLine c = new CommandLine();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.replaceFirst("^--?", "");
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!FLAGS.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag -" + name);
            }
            boolean bool = FLAGS.get(name)[0].equals("true") || FLAGS.get(name)[0].equals("false");
            if (value == null) {
                if (bool && (i + 1 >= args.length || !args[i + 1].matches("true|false"))) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("flag -" + name + " needs a value");
                }
            }
            c.values.put(name, value);
        }
        return c;
    }

    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-help")) {
                return true;
            }
        }
        return false;
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("Flags:\n");
        FLAGS.forEach((k, v) -> sb.append(String.format("  --%-30s %s (default \"%s\")%n", k, v[1], v[0])));
        return sb.toString();
    }

    public boolean debug() {
        return bool("debug");
    }

    /** The settings these flags describe; {@code home} is {@code kubespan.home} (may be null). */
    public ServerSettings toSettings(String home) {
        ServerSettings s = new ServerSettings();
        s.listen(address("addr", values.get("addr")));
        String metrics = values.get("metrics-addr");
        s.metrics(metrics.isBlank() ? null : address("metrics-addr", metrics));
        String cert = values.get("certificate-path");
        String key = values.get("key-path");
        if (cert.isBlank() != key.isBlank()) {
            throw new IllegalArgumentException("--certificate-path and --key-path must be given together");
        }
        if (!cert.isBlank()) {
            s.tls(Path.of(cert), Path.of(key));
        }
        s.gcInterval(duration("gc-interval"));
        s.redirect(values.get("redirect-endpoint"));
        Path snapshot = null;
        if (bool("snapshots-enabled")) {
            String p = values.get("snapshot-path");
            if (!p.isBlank()) {
                snapshot = Path.of(p);
            } else {
                Path base = home == null || home.isBlank() ? Path.of("data") : Path.of(home, "data");
                snapshot = base.resolve("discovery").resolve("state.bin");
            }
        }
        s.snapshot(snapshot, duration("snapshot-interval"));
        s.trustProxyHeaders(bool("trust-x-real-ip"), bool("trust-first-x-forwarded-for"));
        try {
            s.rateLimit(Double.parseDouble(values.get("rate-limit")), Integer.parseInt(values.get("rate-burst")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate-limit/--rate-burst: not a number");
        }
        limitsTo(s);
        stateFlags(s);
        return s;
    }

    /** Limits against hostile or broken clients. */
    private void limitsTo(ServerSettings s) {
        s.trustedProxies(prefixes("trusted-proxies"));
        named("handshake-timeout", () -> s.handshakeTimeout(duration("handshake-timeout")));
        named("idle-timeout", () -> s.idleTimeout(duration("idle-timeout")));
        named("keepalive-time/--keepalive-timeout", () -> s.keepAlive(duration("keepalive-time"), duration("keepalive-timeout")));
        s.maxConnections(count("max-connections"), count("max-connections-per-ip"));
        s.maxCalls(count("max-calls-per-connection"), count("max-calls-per-ip"));
        s.rateLimitQueue(duration("rate-max-wait"), count("rate-max-waiting"));
        named("call-threads", () -> s.callThreads(count("call-threads")));
    }

    /** Runs a setter; its complaint names the flag. */
    private static void named(String flag, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage() : "--" + flag + ": " + e.getMessage());
        }
    }

    private int count(String name) {
        String v = values.get(name).trim();
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new IllegalArgumentException("--" + name + ": must not be negative, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + v + "' is not a whole number");
        }
    }

    private List<IpPrefix> prefixes(String name) {
        List<IpPrefix> out = new ArrayList<>();
        for (String part : values.get(name).split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String p = part.trim();
            try {
                out.add(IpPrefix.parse(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + name + ": '" + p + "' is not an IP or CIDR: " + e.getMessage());
            }
        }
        return out;
    }

    /** --state, --etcd-*, --max-clusters, --max-affiliates. */
    private void stateFlags(ServerSettings s) {
        s.caps(positiveInt("max-clusters"), positiveInt("max-affiliates"));
        String state = values.get("state").trim();
        switch (state) {
            case "memory" -> {
                if (!values.get("etcd-endpoints").isBlank()) {
                    throw new IllegalArgumentException("--etcd-endpoints is given but --state is memory; add --state etcd");
                }
            }
            case "etcd" -> {
                EtcdSettings.Parsed endpoints;
                try {
                    endpoints = EtcdSettings.parseEndpoints(values.get("etcd-endpoints"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--etcd-endpoints: " + e.getMessage());
                }
                try {
                    s.etcd(new EtcdSettings(endpoints.endpoints(), endpoints.tls(), path("etcd-ca"), path("etcd-cert"),
                            path("etcd-key"), blankToNull(values.get("etcd-user")), path("etcd-password-file"),
                            values.get("etcd-prefix"), duration("etcd-timeout")));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--etcd-*: " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException("--state: expected memory or etcd, got '" + state + "'");
        }
    }

    private Path path(String name) {
        String v = values.get(name).trim();
        return v.isEmpty() ? null : Path.of(v);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private int positiveInt(String name) {
        try {
            int v = Integer.parseInt(values.get(name).trim());
            if (v < 1) {
                throw new IllegalArgumentException("--" + name + ": must be at least 1, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a number: '" + values.get(name) + "'");
        }
    }

    private boolean bool(String name) {
        String v = values.get(name);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + ": expected true or false, got '" + v + "'");
        }
        return v.equals("true");
    }

    private Duration duration(String name) {
        try {
            return parseDuration(values.get(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + ": " + e.getMessage());
        }
    }

    /** Go-style durations: {@code 90s}, {@code 1m}, {@code 1h30m}, {@code 250ms}. */
    static Duration parseDuration(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        Matcher m = DURATION_PART.matcher(s);
        double nanos = 0;
        int pos = 0;
        while (m.find() && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos != s.length()) {
            throw new IllegalArgumentException("invalid duration '" + text + "' (use e.g. 30s, 1m, 1h30m)");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}. */
    static InetSocketAddress address(String flag, String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--" + flag + ": '" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": '" + text + "' has no valid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--" + flag + ": port " + port + " out of range");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("localhost")) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        try {
            return new InetSocketAddress(IpLiterals.parse(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + flag + ": " + e.getMessage());
        }
    }
}
