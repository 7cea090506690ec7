package dev.kubespan.config.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;

/**
 * Turns a discovery service URL into the gRPC target Talos uses (docs/kubespan-node.md §6.2):
 * {@code http} means plaintext with default port 80; {@code https} and {@code grpc} mean TLS with
 * default port 443. The path is ignored.
 */
final class DiscoveryUrls {
    private DiscoveryUrls() {
    }

    /** @throws IllegalArgumentException with a reason that quotes the URL */
    static DiscoveryServiceEndpoint toEndpoint(String name, String url) {
        String text = url == null ? "" : url.trim();
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
