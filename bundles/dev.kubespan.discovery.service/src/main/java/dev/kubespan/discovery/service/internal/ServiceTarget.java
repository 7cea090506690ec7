package dev.kubespan.discovery.service.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.kubespan.api.spec.DiscoveryServiceEndpoint;

/**
 * Where one discovery client connects: {@code host:port} plus whether the channel is plaintext.
 * Accepts the {@code host:port} form of {@link DiscoveryServiceEndpoint} and, leniently, the
 * URL forms Talos configs use ({@code https://discovery.talos.dev/}, {@code http://h:3000});
 * {@code http://} always means plaintext, the default port is 443 (80 for {@code http}).
 * Replicas of one service may be listed comma-separated ({@code http://a:3000,b:3000}): the
 * client connects to the first and moves to the {@link #next()} one when it cannot reach it
 * ({@code alternates} are the others, in the order they are tried).
 */
public record ServiceTarget(String host, int port, boolean insecure, List<String> alternates) {

    public ServiceTarget {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("discovery endpoint has no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("discovery endpoint port " + port + " out of range 1..65535");
        }
        alternates = alternates == null ? List.of() : List.copyOf(alternates);
    }

    public ServiceTarget(String host, int port, boolean insecure) {
        this(host, port, insecure, List.of());
    }

    public static ServiceTarget of(DiscoveryServiceEndpoint e) {
        return parse(e.endpoint(), e.insecure());
    }

    /** One endpoint, or several replicas of one service separated by commas (same TLS setting for all). */
    public static ServiceTarget parse(String text, boolean insecure) {
        if (text == null || !text.contains(",")) {
            return parseOne(text, insecure);
        }
        List<ServiceTarget> all = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            if (all.isEmpty()) {
                all.add(parseOne(part, insecure));
                continue;
            }
            boolean firstInsecure = all.get(0).insecure();
            boolean explicit = part.contains("://");
            ServiceTarget t = parseOne(part, explicit ? insecure : firstInsecure);
            if (explicit && t.insecure() != firstInsecure) {
                throw new IllegalArgumentException("discovery endpoint '" + text + "' mixes TLS and plaintext replicas");
            }
            all.add(t);
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("discovery endpoint is empty");
        }
        ServiceTarget first = all.get(0);
        return new ServiceTarget(first.host(), first.port(), first.insecure(),
                all.subList(1, all.size()).stream().map(ServiceTarget::authority).toList());
    }

    /** The replica to try after this one failed (itself when there is only one). */
    public ServiceTarget next() {
        if (alternates.isEmpty()) {
            return this;
        }
        ServiceTarget n = parseOne(alternates.get(0), insecure);
        List<String> rest = new ArrayList<>(alternates.subList(1, alternates.size()));
        rest.add(authority());
        return new ServiceTarget(n.host(), n.port(), insecure, rest);
    }

    private static ServiceTarget parseOne(String text, boolean insecure) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("discovery endpoint is empty");
        }
        String s = text.trim();
        int defaultPort = 443;
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://")) {
            insecure = true;
            defaultPort = 80;
            s = s.substring(7);
        } else if (lower.startsWith("https://")) {
            s = s.substring(8);
        } else if (lower.startsWith("grpc://")) {
            s = s.substring(7);
        } else if (s.contains("://")) {
            throw new IllegalArgumentException("discovery endpoint '" + text + "': unsupported scheme");
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            if (!s.substring(slash).matches("/*")) {
                throw new IllegalArgumentException("discovery endpoint '" + text + "' must not have a path");
            }
            s = s.substring(0, slash);
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("discovery endpoint '" + text + "': unclosed '['");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("discovery endpoint '" + text + "' is not [ip]:port");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("discovery endpoint '" + text + "': IPv6 needs brackets");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("discovery endpoint '" + text + "' has an invalid host");
        }
        int p = defaultPort;
        if (port != null) {
            if (!port.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("discovery endpoint '" + text + "' has an invalid port");
            }
            p = Integer.parseInt(port);
        }
        return new ServiceTarget(host, p, insecure);
    }

    /** A {@code host:port} authority, with brackets around IPv6 literals. */
    public String authority() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The same TLS setting, another address (a Hello redirect names a {@code host:port}). */
    public ServiceTarget redirectTo(String endpoint) {
        ServiceTarget t = parseOne(endpoint, insecure);
        return new ServiceTarget(t.host(), t.port(), insecure || t.insecure());
    }

    /** The URL of the replica in use, then the others: {@code http://a:3000,b:3000}. */
    @Override
    public String toString() {
        return (insecure ? "http://" : "https://") + authority()
                + (alternates.isEmpty() ? "" : "," + String.join(",", alternates));
    }
}
