package dev.kubespan.manager.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.PortRange;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.Rule;
import dev.kubespan.api.spec.KubeSpanConfig;

/**
 * The desired routes and policy rules (docs/kubespan-node.md §5.2, without nftables): table 180 routes
 * the routed set into the link, a rule sends everything not marked by WireGuard to table 180, and
 * rules at a higher priority keep discovery traffic in the main table.
 */
record RoutingPlan(Set<Route> routes, Set<Rule> rules) {
    static final int EXEMPT_PRIORITY = 32490;
    static final int ROUTE_METRIC = 1;

    /**
     * @param routedAllowedIps allowed IPs of the peers whose traffic is forced into the tunnel
     * @param exemptPorts TCP ports that keep using the main table
     */
    static RoutingPlan of(Collection<IpPrefix> routedAllowedIps, Set<Integer> exemptPorts, int mtu) {
        IpSet routed = new IpSet();
        for (IpPrefix p : routedAllowedIps) {
            // the connected /64 on the link carries KubeSpan ULA traffic
            if (!Ula.isKubeSpan(p.address())) {
                routed.add(p);
            }
        }
        Set<Route> routes = new LinkedHashSet<>();
        for (IpPrefix p : routed.prefixes()) {
            routes.add(new Route(p, KubeSpanConfig.LINK_NAME, KubeSpanConfig.ROUTING_TABLE, ROUTE_METRIC, mtu));
        }
        Set<Rule> rules = new LinkedHashSet<>();
        for (boolean v6 : new boolean[] { false, true }) {
            for (int port : exemptPorts) {
                rules.add(exempt(v6, null, PortRange.of(port)));
                rules.add(exempt(v6, PortRange.of(port), null));
            }
        }
        for (boolean v6 : new boolean[] { false, true }) {
            rules.add(force(v6));
        }
        return new RoutingPlan(routes, rules);
    }

    /** {@code not fwmark 0x20/0x20 lookup 180 priority 32500}. */
    static Rule force(boolean ipv6) {
        return Rule.builder(ipv6).priority(KubeSpanConfig.RULE_PRIORITY).table(KubeSpanConfig.ROUTING_TABLE)
                .fwmark(KubeSpanConfig.WIREGUARD_FWMARK, KubeSpanConfig.WIREGUARD_FWMARK).invert().build();
    }

    /** {@code ipproto tcp sport|dport P lookup main priority 32490}. */
    static Rule exempt(boolean ipv6, PortRange sport, PortRange dport) {
        return Rule.builder(ipv6).priority(EXEMPT_PRIORITY).table(Rule.TABLE_MAIN).ipProto(Rule.IPPROTO_TCP).sport(sport)
                .dport(dport).build();
    }

    static boolean isForceRule(Rule r) {
        return r.priority() == KubeSpanConfig.RULE_PRIORITY;
    }

    List<Rule> exemptRules() {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            if (!isForceRule(r)) {
                out.add(r);
            }
        }
        return out;
    }

    List<Rule> forceRules() {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            if (isForceRule(r)) {
                out.add(r);
            }
        }
        return out;
    }
}
