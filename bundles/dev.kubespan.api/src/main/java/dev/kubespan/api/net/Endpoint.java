package dev.kubespan.api.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/** A numeric UDP endpoint: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. */
public record Endpoint(InetAddress address, int port) {

    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
    }

    /** Parses {@code ip:port} or {@code [ipv6]:port}; host names are rejected. */
    public static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty endpoint");
        }
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("endpoint '" + text + "' is not [ip]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("endpoint '" + text + "' is not ip:port (IPv6 needs brackets)");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("endpoint '" + text + "' has no valid port");
        }
        try {
            return new Endpoint(IpLiterals.parse(host), Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + text + "': " + e.getMessage());
        }
    }

    public static Endpoint of(InetSocketAddress a) {
        return new Endpoint(a.getAddress(), a.getPort());
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String ip = IpLiterals.format(address);
        return (address instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port;
    }
}
