package dev.kubespan.api.spec;

import java.util.Objects;

import dev.kubespan.api.wireguard.Backend;

/**
 * The KubeSpan WireGuard link as the WireGuard bundle drives it (ns {@code kubespan}, id = link
 * name).
 *
 * @param pid the supervised wireguard-go process, or 0
 */
public record LinkStatus(Backend backend, boolean present, boolean up, int mtu, int listenPort, int peers,
        long pid, String detail) {
    public LinkStatus {
        Objects.requireNonNull(backend, "backend");
        detail = Lists.text(detail);
    }
}
