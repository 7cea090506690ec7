package dev.kubespan.discovery.server.internal.state.etcd;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.kubespan.api.net.IpLiterals;

/**
 * How to reach etcd: its members' client URLs ({@code http://host:2379} or
 * {@code https://host:2379}; all of one scheme), optional TLS files (CA, client certificate and
 * key), optional user and password file (etcd authentication), the key prefix of this
 * deployment and the timeout of one request.
 */
public record EtcdSettings(List<InetSocketAddress> endpoints, boolean tls, Path caFile, Path certFile, Path keyFile,
        String user, Path passwordFile, String prefix, Duration requestTimeout) {

    public static final String DEFAULT_PREFIX = "/kubespan-discovery/";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint given");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("the etcd client certificate and key must be given together");
        }
        if ((caFile != null || certFile != null) && !tls) {
            throw new IllegalArgumentException("etcd TLS files are given but the endpoints are http://; use https://");
        }
        if (passwordFile != null && (user == null || user.isBlank())) {
            throw new IllegalArgumentException("an etcd password file needs a user");
        }
        prefix = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : prefix.trim();
        if (!prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("etcd request timeout must be positive");
        }
    }

    /**
     * Parses a comma-separated list of client URLs: {@code http://10.0.0.1:2379,http://10.0.0.2:2379}
     * (also {@code host:port} without scheme, meaning http). Returns the addresses and whether TLS is used.
     */
    public static Parsed parseEndpoints(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no etcd endpoint given");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        Boolean tls = null;
        for (String raw : text.split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) {
                continue;
            }
            String lower = s.toLowerCase(Locale.ROOT);
            boolean https = lower.startsWith("https://");
            if (https) {
                s = s.substring(8);
            } else if (lower.startsWith("http://")) {
                s = s.substring(7);
            } else if (s.contains("://")) {
                throw new IllegalArgumentException("etcd endpoint '" + raw.trim() + "': use http:// or https://");
            }
            if (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            if (tls != null && tls != https) {
                throw new IllegalArgumentException("etcd endpoints mix http:// and https://");
            }
            tls = https;
            out.add(address(raw.trim(), s));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint given");
        }
        return new Parsed(out, tls);
    }

    public record Parsed(List<InetSocketAddress> endpoints, boolean tls) {
    }

    /** The endpoints with host names resolved (at start). */
    List<InetSocketAddress> resolvedEndpoints() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : endpoints) {
            InetSocketAddress r = a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
            if (r.isUnresolved()) {
                throw new IllegalArgumentException("etcd endpoint " + a.getHostString() + ":" + a.getPort()
                        + ": cannot resolve " + a.getHostString());
            }
            out.add(r);
        }
        return out;
    }

    private static InetSocketAddress address(String raw, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || (hostPort.startsWith("[") && !hostPort.substring(0, colon).endsWith("]"))) {
            throw new IllegalArgumentException("etcd endpoint '" + raw + "' has no port");
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("etcd endpoint '" + raw + "' has an invalid port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("etcd endpoint '" + raw + "': port out of range");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoint '" + raw + "' has no host");
        }
        try {
            return new InetSocketAddress(IpLiterals.parse(host), port);
        } catch (IllegalArgumentException notAnIp) {
            // A host name: resolved when the server starts; TLS certificates are checked against it.
            return InetSocketAddress.createUnresolved(host, port);
        }
    }

    /** The endpoints as URLs, for logs and status. */
    public String urls() {
        StringBuilder sb = new StringBuilder();
        for (InetSocketAddress a : endpoints) {
            String h = a.getHostString();
            sb.append(sb.length() == 0 ? "" : ",").append(tls ? "https://" : "http://")
                    .append(h.contains(":") ? "[" + h + "]" : h).append(':').append(a.getPort());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return urls() + " prefix " + prefix + (user != null ? " user " + user : "") + (certFile != null ? " client certificate" : "");
    }
}
