package dev.kubespan.api.spec;

/**
 * The KubeSpan WireGuard link as the WireGuard bundle drives it (ns {@code kubespan}, id = link
 * name).
 *
 * @param backend {@code kernel} or {@code userspace}
 * @param pid the supervised wireguard-go process, or 0
 */
public record LinkStatus(String backend, boolean present, boolean up, int mtu, int listenPort, int peers,
        long pid, String detail) {
    public LinkStatus {
        backend = Lists.text(backend);
        detail = Lists.text(detail);
    }
}
