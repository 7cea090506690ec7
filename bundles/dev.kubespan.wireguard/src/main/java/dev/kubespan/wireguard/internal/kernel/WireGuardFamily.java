package dev.kubespan.wireguard.internal.kernel;

import java.util.OptionalInt;
import java.util.function.Supplier;

import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;

/**
 * The generic netlink id of the {@code wireguard} family, looked up once and cached. The id is
 * assigned when the module registers the family, so it changes if the module is unloaded and
 * loaded again; a request to a stale id fails with ENOENT, after which the caller asks
 * {@link #refreshAfterEnoent} whether a retry with a new id makes sense.
 */
final class WireGuardFamily {
    private final Supplier<OptionalInt> resolver;
    private int cached = -1;

    /** @param resolver asks the kernel (CTRL_CMD_GETFAMILY); empty when the family does not exist */
    WireGuardFamily(Supplier<OptionalInt> resolver) {
        this.resolver = resolver;
    }

    /** The family id, resolving it when not cached. */
    synchronized int id() {
        if (cached < 0) {
            cached = resolve();
        }
        return cached;
    }

    /**
     * A request sent with {@code staleId} failed with ENOENT: resolves again.
     *
     * @return true when the family now has another id (retry the request with {@link #id()});
     *     false when the id is unchanged, so the ENOENT was the request's own answer
     * @throws WireGuardException ENOENT when the family is gone (module unloaded)
     */
    synchronized boolean refreshAfterEnoent(int staleId) {
        cached = -1;
        cached = resolve();
        return cached != staleId;
    }

    private int resolve() {
        OptionalInt id = resolver.get();
        if (id.isEmpty()) {
            throw new WireGuardException("the kernel has no WireGuard: generic netlink family '" + WireGuardGenl.FAMILY
                    + "' is not registered (module not loaded?)", Errno.ENOENT);
        }
        return id.getAsInt();
    }
}
