package dev.kubespan.config.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;

/**
 * Turns a discovery service URL into the gRPC target Talos uses (docs/kubespan-node.md §6.2):
 * {@code http} means plaintext with default port 80; {@code https} and {@code grpc} mean TLS with
 * default port 443. The path is ignored. Replicas of one service may share the URL, their
 * authorities separated by commas ({@code http://10.0.0.1:3000,10.0.0.2:3000/}): the target is
 * then {@code host:port,host:port}, and the client fails over from one to the next.
 */
final class DiscoveryUrls {
    private DiscoveryUrls() {
    }

    /** @throws IllegalArgumentException with a reason that quotes the URL */
    static DiscoveryServiceEndpoint toEndpoint(String name, String url) {
        String text = url == null ? "" : url.trim();
        int schemeEnd = text.indexOf("://");
        if (schemeEnd > 0 && text.indexOf(',', schemeEnd) > 0) {
            return replicas(name, text, schemeEnd);
        }
        return single(name, text);
    }

    /** {@code scheme://a,b,c/path}: each authority checked as a URL of its own, joined in order. */
    private static DiscoveryServiceEndpoint replicas(String name, String text, int schemeEnd) {
        String scheme = text.substring(0, schemeEnd + 3);
        String rest = text.substring(schemeEnd + 3);
        int slash = rest.indexOf('/');
        String authorities = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        StringBuilder target = new StringBuilder();
        boolean insecure = false;
        for (String a : authorities.split(",", -1)) {
            if (a.isBlank()) {
                throw new IllegalArgumentException("'" + text + "' has an empty entry in its list of servers");
            }
            DiscoveryServiceEndpoint one = single(name, scheme + a.trim() + path);
            insecure = one.insecure();
            target.append(target.length() == 0 ? "" : ",").append(one.endpoint());
        }
        return new DiscoveryServiceEndpoint(name, target.toString(), insecure);
    }

    private static DiscoveryServiceEndpoint single(String name, String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty URL");
        }
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        boolean insecure;
        int defaultPort;
        switch (scheme) {
            case "http" -> {
                insecure = true;
                defaultPort = 80;
            }
            case "https", "grpc" -> {
                insecure = false;
                defaultPort = 443;
            }
            default -> throw new IllegalArgumentException(
                    "'" + text + "': the scheme must be http, https or grpc");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host");
        }
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "': user information in the URL is not supported");
        }
        int port = u.getPort() == -1 ? defaultPort : u.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " out of range 1..65535");
        }
        if (host.startsWith("[")) {
            // Canonical form so that equal endpoints compare equal.
            host = "[" + IpLiterals.format(IpLiterals.parse(host.substring(1, host.length() - 1))) + "]";
        } else {
            host = host.toLowerCase(Locale.ROOT);
        }
        return new DiscoveryServiceEndpoint(name, host + ":" + port, insecure);
    }
}
