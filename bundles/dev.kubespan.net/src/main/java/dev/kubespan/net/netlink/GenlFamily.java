package dev.kubespan.net.netlink;

import java.util.Map;

/**
 * A generic netlink family as the kernel's controller describes it.
 *
 * @param id the nlmsg_type to send the family's requests with
 * @param multicastGroups group name to group id
 */
public record GenlFamily(String name, int id, int version, int maxAttribute, Map<String, Integer> multicastGroups) {
    public GenlFamily {
        multicastGroups = Map.copyOf(multicastGroups);
    }
}
