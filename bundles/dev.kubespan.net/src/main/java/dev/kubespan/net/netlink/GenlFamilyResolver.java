package dev.kubespan.net.netlink;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.net.NetworkException;

/**
 * Resolves generic netlink family names (CTRL_CMD_GETFAMILY). A family the kernel does not
 * know (ENOENT; e.g. {@code wireguard} without the module) is an empty result, not an error.
 */
public final class GenlFamilyResolver {
    private final NetlinkSocket socket;

    /** @param socket a NETLINK_GENERIC socket */
    public GenlFamilyResolver(NetlinkSocket socket) {
        if (socket.protocol() != Netlink.NETLINK_GENERIC) {
            throw new IllegalArgumentException("family lookup needs a NETLINK_GENERIC socket");
        }
        this.socket = socket;
    }

    /** One-shot lookup on a socket of its own (in the caller's network namespace). */
    public static Optional<GenlFamily> lookup(String name) {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            return new GenlFamilyResolver(s).resolve(name);
        }
    }

    public Optional<GenlFamily> resolve(String name) {
        try {
            for (NetlinkMessage m : socket.request(request(name))) {
                if (m.type() == GenericNetlink.GENL_ID_CTRL) {
                    return Optional.of(parse(m));
                }
            }
            throw new NetworkException("resolve generic netlink family " + name + ": no reply before the ACK", 0);
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The CTRL_CMD_GETFAMILY request for {@code name}. */
    public static NetlinkRequest request(String name) {
        if (name == null || name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("invalid generic netlink family name '" + name + "'");
        }
        return GenericNetlink.request(GenericNetlink.GENL_ID_CTRL, GenericNetlink.CTRL_CMD_GETFAMILY,
                GenericNetlink.CTRL_VERSION, 0, "resolve generic netlink family " + name)
                .attrString(GenericNetlink.CTRL_ATTR_FAMILY_NAME, name);
    }

    /** Decodes a CTRL_CMD_NEWFAMILY reply. */
    public static GenlFamily parse(NetlinkMessage m) {
        NetlinkAttributes a = GenericNetlink.attributes(m);
        int id = a.u16(GenericNetlink.CTRL_ATTR_FAMILY_ID)
                .orElseThrow(() -> new NetworkException("family reply without CTRL_ATTR_FAMILY_ID", 0));
        Map<String, Integer> groups = new LinkedHashMap<>();
        a.nest(GenericNetlink.CTRL_ATTR_MCAST_GROUPS).ifPresent(list -> {
            for (NetlinkAttributes.Attribute element : list.all()) {
                NetlinkAttributes g = element.nest();
                String groupName = g.string(GenericNetlink.CTRL_ATTR_MCAST_GRP_NAME).orElse(null);
                long groupId = g.u32(GenericNetlink.CTRL_ATTR_MCAST_GRP_ID).orElse(-1);
                if (groupName != null && groupId >= 0) {
                    groups.put(groupName, (int) groupId);
                }
            }
        });
        return new GenlFamily(a.string(GenericNetlink.CTRL_ATTR_FAMILY_NAME).orElse(""), id,
                (int) a.u32(GenericNetlink.CTRL_ATTR_VERSION).orElse(0),
                (int) a.u32(GenericNetlink.CTRL_ATTR_MAXATTR).orElse(0), groups);
    }
}
