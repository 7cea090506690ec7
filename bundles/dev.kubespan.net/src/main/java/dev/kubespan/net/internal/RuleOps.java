package dev.kubespan.net.internal;

import java.util.ArrayList;
import java.util.List;

import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkSocket;

/**
 * KubeSpan's policy rules (tagged with {@link RuleMessages#KUBESPAN_PROTOCOL}) over rtnetlink.
 * Adding a present rule and removing a missing one succeed.
 */
public final class RuleOps {
    private final NetlinkSocket socket;

    public RuleOps(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Our rules, IPv4 then IPv6, each in priority order. */
    public List<Rule> list() {
        List<Rule> out = new ArrayList<>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (NetlinkMessage m : socket.request(RuleMessages.dump(ipv6))) {
                if (m.type() == Rtnl.RTM_NEWRULE) {
                    RuleMessages.parseOwn(m).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    public void add(Rule rule) {
        try {
            socket.execute(RuleMessages.add(rule));
        } catch (NetworkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    public void remove(Rule rule) {
        try {
            socket.execute(RuleMessages.delete(rule));
        } catch (NetworkException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }
}
