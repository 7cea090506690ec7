package dev.kubespan.api.net;

/** An inclusive port range for policy rules. */
public record PortRange(int from, int to) {
    public PortRange {
        if (from < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException("invalid port range " + from + "-" + to);
        }
    }

    public static PortRange of(int port) {
        return new PortRange(port, port);
    }
}
