package dev.kubespan.api.net;

/** A unicast route out of a link, no gateway. {@code mtu} 0 means none set. */
public record Route(IpPrefix destination, String link, int table, int metric, int mtu) {
    public Route {
        destination = destination.masked();
    }
}
