package dev.kubespan.net.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkSocket;

/**
 * Interface addresses over rtnetlink; adding a present address and removing a missing one
 * succeed. "Present" is the kernel's EEXIST: for IPv6 that means the same address on the link,
 * even with another prefix length, so reconcile prefix changes as remove + add.
 */
public final class AddressOps {
    private final NetlinkSocket socket;
    private final LinkOps links;
    private final LinkIndex index;

    public AddressOps(NetlinkSocket socket, LinkOps links) {
        this.socket = socket;
        this.links = links;
        this.index = new LinkIndex(links);
    }

    public List<AddressInfo> list() {
        Map<Integer, String> names = index.names();
        List<AddressInfo> out = new ArrayList<>();
        for (NetlinkMessage m : socket.request(AddressMessages.dump())) {
            if (m.type() == Rtnl.RTM_NEWADDR) {
                AddressMessages.parse(m, names).ifPresent(out::add);
            }
        }
        return out;
    }

    public void add(String link, IpPrefix address) {
        try {
            socket.execute(AddressMessages.add(link, index.indexOf(link), address));
        } catch (NetworkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    public void remove(String link, IpPrefix address) {
        Optional<LinkInfo> l = links.find(link);
        if (l.isEmpty()) {
            return;
        }
        try {
            socket.execute(AddressMessages.delete(link, l.get().index(), address));
        } catch (NetworkException e) {
            if (e.errno() != Errno.EADDRNOTAVAIL && e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }
}
