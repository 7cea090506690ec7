package dev.kubespan.net.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.Route;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkSocket;

/** Routes in one table over rtnetlink; adds replace, removing a missing route succeeds. */
public final class RouteOps {
    private final NetlinkSocket socket;
    private final LinkOps links;
    private final LinkIndex index;

    public RouteOps(NetlinkSocket socket, LinkOps links) {
        this.socket = socket;
        this.links = links;
        this.index = new LinkIndex(links);
    }

    /** The unicast routes out of a link in {@code table}, IPv4 and IPv6. */
    public List<Route> list(int table) {
        Map<Integer, String> names = index.names();
        List<Route> out = new ArrayList<>();
        // Without NETLINK_GET_STRICT_CHK the kernel ignores dump filters, so filter here.
        for (NetlinkMessage m : socket.request(RouteMessages.dump())) {
            if (m.type() == Rtnl.RTM_NEWROUTE && RouteMessages.table(m) == table) {
                RouteMessages.parse(m, names).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Adds the route or replaces the one with the same destination and metric. The kernel keys
     * routes by metric too, so routes to the same destination with another metric are removed
     * afterwards: the table then holds exactly the requested route for that destination.
     */
    public void add(Route route) {
        socket.execute(RouteMessages.add(route, index.indexOf(route.link())));
        for (Route existing : list(route.table())) {
            if (existing.destination().equals(route.destination()) && existing.metric() != route.metric()) {
                remove(existing);
            }
        }
    }

    public void remove(Route route) {
        Optional<LinkInfo> l = links.find(route.link());
        if (l.isEmpty()) {
            return; // the kernel drops a link's routes with the link
        }
        try {
            socket.execute(RouteMessages.delete(route, l.get().index()));
        } catch (NetworkException e) {
            if (e.errno() != Errno.ESRCH && e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }
}
