package dev.kubespan.net.internal;

import java.util.HashMap;
import java.util.Map;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.LinkOps;

/** Link name to index and back, looked up fresh each time (indexes change when a link is re-created). */
final class LinkIndex {
    private final LinkOps links;

    LinkIndex(LinkOps links) {
        this.links = links;
    }

    /** The index of {@code name}; ENODEV when there is no such link. */
    int indexOf(String name) {
        return links.find(name).map(LinkInfo::index)
                .orElseThrow(() -> new NetworkException("link " + name + " not found", Errno.ENODEV));
    }

    Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (LinkInfo l : links.list()) {
            names.put(l.index(), l.name());
        }
        return names;
    }
}
