package dev.kubespan.wireguard.internal.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.net.netlink.NetlinkSocket;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.DeviceSnapshot;
import dev.kubespan.wireguard.internal.LinkAccess;
import dev.kubespan.wireguard.internal.LinkNames;
import dev.kubespan.wireguard.internal.LinkOpsAccess;
import dev.kubespan.wireguard.internal.WireGuardBackend;

/**
 * WireGuard in the kernel: links of kind {@code wireguard} created over rtnetlink, configured and
 * read over the generic netlink family {@code wireguard} (docs/wireguard.md §5, §6).
 *
 * <p>Both sockets are opened in the network namespace of the thread that calls {@link #open}, and
 * every operation acts on that namespace. A kernel device needs no supervision: it lives until
 * someone deletes it, so adoption after a bundle update is only remembering which links are ours
 * ({@link OwnedLinks}) and checking they still exist as WireGuard links.
 *
 * <p>Large changes go to the kernel as several SET messages ({@link SetDeviceMessages}); like a
 * single one, they are not transactional, so a failure leaves the earlier messages applied and
 * the caller re-reads the device. Errors carry the kernel's errno and text plus a hint; keys never
 * appear in logs or messages.
 */
public final class KernelBackend implements WireGuardBackend {
    private final GenlTransport genl;
    private final WireGuardFamily family;
    private final LinkAccess links;
    private final OwnedLinks owned;
    private final Log log;
    private final int maxMessage;
    private final Set<String> managed = new TreeSet<>();
    private boolean closed;

    KernelBackend(GenlTransport genl, LinkAccess links, Path runtimeDir, Log log, int maxMessage) {
        this.genl = genl;
        this.family = new WireGuardFamily(() -> genl.resolve(WireGuardGenl.FAMILY));
        this.links = links;
        this.owned = new OwnedLinks(runtimeDir);
        this.log = log;
        this.maxMessage = maxMessage;
    }

    /**
     * Opens the backend's generic netlink and rtnetlink sockets in the calling thread's network
     * namespace. Nothing is sent yet: the family id is resolved on first use.
     *
     * @param runtimeDir where the markers of managed links go (must survive a bundle update)
     */
    public static KernelBackend open(Path runtimeDir, Log log) {
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        LinkOps ops;
        try {
            ops = LinkOps.open();
        } catch (RuntimeException | Error e) {
            socket.close();
            throw e;
        }
        return new KernelBackend(GenlTransport.of(socket), new LinkOpsAccess(ops, LinkOpsAccess.namespaceOf(Path.of("/proc/self/ns/net"))), runtimeDir, log,
                SetDeviceMessages.DEFAULT_MAX_MESSAGE);
    }

    @Override
    public Backend kind() {
        return Backend.KERNEL;
    }

    /** The marked links that still exist here as WireGuard links; stale markers are removed. */
    @Override
    public synchronized List<String> adoptRunning() {
        checkOpen();
        List<String> adopted = new ArrayList<>();
        for (String link : owned.links()) {
            try {
                Optional<LinkInfo> info = links.find(link);
                if (info.isPresent() && isWireGuard(info.get())) {
                    managed.add(link);
                    adopted.add(link);
                    log.info("adopted kernel WireGuard link " + link + " as it is");
                } else {
                    owned.remove(link);
                    log.info("marker for " + link + " names no kernel WireGuard link in this network namespace;"
                            + " removed it");
                }
            } catch (RuntimeException e) {
                log.warn("cannot adopt kernel WireGuard link " + link + ": " + e.getMessage());
            }
        }
        return adopted;
    }

    @Override
    public synchronized void ensureLink(String link, int mtu) {
        checkOpen();
        LinkNames.check(link); // the name becomes a marker file name
        try {
            LinkInfo info = links.find(link).orElse(null);
            if (info == null) {
                links.create(link, WireGuardGenl.LINK_KIND);
                info = links.find(link).orElseThrow(() -> new WireGuardException("link " + link
                        + " was created but is not in this network namespace", Errno.ENODEV));
                log.info("created kernel WireGuard link " + link);
            }
            if (!isWireGuard(info)) {
                throw new WireGuardException("link " + link + " already exists with kind '" + info.kind()
                        + "', not wireguard; delete it or use another name", Errno.EEXIST);
            }
            remember(link);
            if (mtu > 0 && info.mtu() != mtu) {
                links.setMtu(link, mtu);
            }
            if (!info.up()) {
                links.setUp(link, true);
            }
        } catch (NetworkException e) {
            throw failure(link, e);
        }
    }

    @Override
    public synchronized Optional<LinkInfo> linkInfo(String link) {
        checkOpen();
        return links.find(link);
    }

    @Override
    public synchronized Optional<DeviceSnapshot> read(String link) {
        checkOpen();
        List<NetlinkMessage> replies;
        int id = family.id();
        try {
            try {
                replies = genl.request(DeviceDump.request(id, link));
            } catch (NetworkException e) {
                if (e instanceof WireGuardException || e.errno() != Errno.ENOENT || !family.refreshAfterEnoent(id)) {
                    throw e;
                }
                replies = genl.request(DeviceDump.request(family.id(), link));
            }
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw failure(link, e);
        }
        return Optional.of(DeviceDump.parse(link, replies));
    }

    @Override
    public synchronized void set(String link, DeviceChange change) {
        checkOpen();
        int id = family.id();
        List<NetlinkRequest> parts = SetDeviceMessages.encode(id, link, change, false, maxMessage);
        boolean retried = false;
        for (int i = 0; i < parts.size(); i++) {
            try {
                genl.request(parts.get(i));
            } catch (NetworkException e) {
                if (!(e instanceof WireGuardException) && e.errno() == Errno.ENOENT && !retried
                        && family.refreshAfterEnoent(id)) {
                    // the module was reloaded: same messages, new family id, from this one on
                    retried = true;
                    id = family.id();
                    parts = SetDeviceMessages.encode(id, link, change, false, maxMessage);
                    i--;
                    continue;
                }
                WireGuardException w = failure(link, e);
                if (parts.size() > 1) {
                    WireGuardException partial = new WireGuardException(w.getMessage() + " (message " + (i + 1) + " of "
                            + parts.size() + "; the earlier ones stay applied)", w.errno());
                    partial.initCause(e);
                    throw partial;
                }
                throw w;
            }
        }
    }

    @Override
    public synchronized void deleteLink(String link) {
        checkOpen();
        LinkNames.check(link);
        try {
            Optional<LinkInfo> info = links.find(link);
            if (info.isPresent()) {
                if (!isWireGuard(info.get())) {
                    throw new WireGuardException("not deleting link " + link + ": its kind is '" + info.get().kind()
                            + "', not wireguard", Errno.EOPNOTSUPP);
                }
                links.delete(link);
                log.info("deleted kernel WireGuard link " + link);
            }
        } catch (NetworkException e) {
            throw failure(link, e);
        }
        owned.remove(link);
        managed.remove(link);
    }

    @Override
    public synchronized Set<String> links() {
        return new TreeSet<>(managed);
    }

    @Override
    public synchronized LinkHealth health(String link) {
        return new LinkHealth(0, managed.contains(link) ? "kernel WireGuard link" : "kernel WireGuard (link not managed)");
    }

    /** Nothing to report: the kernel never recreates a device behind our back. */
    @Override
    public void setListener(Listener listener) {
    }

    @Override
    public synchronized void close(boolean keepLinks) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (String link : managed) {
                if (keepLinks) {
                    log.info("leaving kernel WireGuard link " + link + " in place");
                    continue;
                }
                try {
                    links.delete(link);
                    owned.remove(link);
                    log.info("deleted kernel WireGuard link " + link);
                } catch (RuntimeException e) {
                    log.warn("cannot delete kernel WireGuard link " + link + ": " + e.getMessage());
                }
            }
            managed.clear();
        } finally {
            try {
                genl.close();
            } finally {
                links.close();
            }
        }
    }

    private void remember(String link) {
        if (managed.add(link)) {
            try {
                owned.add(link);
            } catch (IOException e) {
                log.warn("cannot write the marker for " + link + " in " + owned.dir()
                        + "; after a bundle update the link will not be adopted", e);
            }
        }
    }

    private static boolean isWireGuard(LinkInfo info) {
        return WireGuardGenl.LINK_KIND.equals(info.kind());
    }

    /** A {@link WireGuardException} with the kernel's errno, its text, and a hint at the usual cause. */
    static WireGuardException failure(String link, NetworkException e) {
        if (e instanceof WireGuardException w) {
            return w;
        }
        String hint = switch (e.errno()) {
        case Errno.ENODEV -> "link " + link + " does not exist in this network namespace";
        case Errno.EOPNOTSUPP -> "link " + link + " is not a kernel WireGuard link, the kernel has no WireGuard link"
                + " kind, or it does not know a flag we sent";
        case Errno.EPERM -> "needs CAP_NET_ADMIN (listen port and fwmark also in the namespace that created the link)";
        case Errno.EADDRINUSE -> "the listen port is used by another socket";
        case Errno.EINVAL -> "the kernel rejected an attribute (allowed IP, key or endpoint)";
        case Errno.EBADR -> "the request named no device";
        case Errno.EPFNOSUPPORT -> "the kernel does not speak this WireGuard protocol version";
        default -> "";
        };
        WireGuardException w = new WireGuardException(e.getMessage() + (hint.isEmpty() ? "" : " (" + hint + ")"),
                e.errno());
        w.initCause(e);
        return w;
    }

    private void checkOpen() {
        if (closed) {
            throw new WireGuardException("the kernel WireGuard backend is closed", 0);
        }
    }
}
