package dev.kubespan.wireguard.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;

/** Stands in for a backend that cannot run: every operation fails with the reason. */
final class UnavailableBackend implements WireGuardBackend {
    private final Backend kind;
    private final String reason;

    UnavailableBackend(Backend kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    private WireGuardException fail() {
        return new WireGuardException("WireGuard is unavailable: " + reason, Errno.EOPNOTSUPP);
    }

    @Override
    public Backend kind() {
        return kind;
    }

    @Override
    public List<String> adoptRunning() {
        return List.of();
    }

    @Override
    public void ensureLink(String link, int mtu) {
        throw fail();
    }

    @Override
    public Optional<LinkInfo> linkInfo(String link) {
        throw fail();
    }

    @Override
    public Optional<DeviceSnapshot> read(String link) {
        throw fail();
    }

    @Override
    public void set(String link, DeviceChange change) {
        throw fail();
    }

    @Override
    public void deleteLink(String link) {
        throw fail();
    }

    @Override
    public Set<String> links() {
        return Set.of();
    }

    @Override
    public LinkHealth health(String link) {
        return new LinkHealth(0, reason);
    }

    @Override
    public void setListener(Listener listener) {
    }

    @Override
    public void close(boolean keepLinks) {
    }
}
