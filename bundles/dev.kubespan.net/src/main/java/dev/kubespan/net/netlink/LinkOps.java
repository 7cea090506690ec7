package dev.kubespan.net.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.internal.LinkMessages;
import dev.kubespan.net.internal.Rtnl;

/**
 * Links over rtnetlink, in the network namespace the socket was opened in. Safe for use from
 * several threads. Creating an existing link and deleting a missing one succeed, so callers can
 * simply state what they want. Failures throw {@link NetworkException} with the kernel's errno
 * (e.g. 95 EOPNOTSUPP "Unknown device type" when a kind such as {@code wireguard} is missing).
 */
public final class LinkOps implements AutoCloseable {
    private final NetlinkSocket socket;
    private final boolean ownsSocket;

    private LinkOps(NetlinkSocket socket, boolean ownsSocket) {
        this.socket = socket;
        this.ownsSocket = ownsSocket;
    }

    /**
     * Opens its own NETLINK_ROUTE socket in the calling thread's network namespace; close it when
     * done.
     */
    public static LinkOps open() {
        return new LinkOps(NetlinkSocket.open(Netlink.NETLINK_ROUTE), true);
    }

    /** Over a NETLINK_ROUTE socket the caller shares with other requests and closes itself. */
    public static LinkOps over(NetlinkSocket routeSocket) {
        return new LinkOps(routeSocket, false);
    }

    /** Every link, in kernel (index) order. */
    public List<LinkInfo> list() {
        List<LinkInfo> out = new ArrayList<>();
        for (NetlinkMessage m : socket.request(LinkMessages.dump())) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                out.add(LinkMessages.parse(m));
            }
        }
        return out;
    }

    public Optional<LinkInfo> find(String name) {
        try {
            for (NetlinkMessage m : socket.request(LinkMessages.get(name))) {
                if (m.type() == Rtnl.RTM_NEWLINK) {
                    return Optional.of(LinkMessages.parse(m));
                }
            }
            return Optional.empty();
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the link; if a link of that name exists already, nothing happens. */
    public void create(String name, String kind) {
        try {
            socket.execute(LinkMessages.create(name, kind));
        } catch (NetworkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    public void setMtu(String name, int mtu) {
        socket.execute(LinkMessages.setMtu(name, mtu));
    }

    public void setUp(String name, boolean up) {
        socket.execute(LinkMessages.setUp(name, up));
    }

    /** Deletes the link; a missing link is fine. */
    public void delete(String name) {
        try {
            socket.execute(LinkMessages.delete(name));
        } catch (NetworkException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    /** Closes the socket if this instance opened it. */
    @Override
    public void close() {
        if (ownsSocket) {
            socket.close();
        }
    }
}
