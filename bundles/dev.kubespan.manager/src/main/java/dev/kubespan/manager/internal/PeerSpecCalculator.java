package dev.kubespan.manager.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.wireguard.Key;

/** The peer specs of docs/kubespan-node.md §4.1, computed from the merged affiliates. */
final class PeerSpecCalculator {
    private record Accepted(String name, IpSet ips) {
    }

    private PeerSpecCalculator() {
    }

    /**
     * @param affiliates merged affiliates (any order; processed in ascending node ID)
     * @param peerEndpoints this node's filter on which received endpoints to try
     * @return public key → spec, in node ID order
     */
    static Map<String, KubeSpanPeerSpec> compute(List<Affiliate> affiliates, String localNodeId,
            EndpointFilter peerEndpoints, Log log) {
        List<Affiliate> sorted = new ArrayList<>(affiliates);
        sorted.sort(Comparator.comparing(Affiliate::nodeId));
        Map<String, KubeSpanPeerSpec> out = new LinkedHashMap<>();
        List<Accepted> accepted = new ArrayList<>();
        IpSet acceptedUnion = new IpSet();
        for (Affiliate a : sorted) {
            AffiliateKubeSpan ks = a.kubespan();
            if (a.nodeId().equals(localNodeId) || ks == null || ks.publicKey().isEmpty()) {
                continue;
            }
            String name = describe(a);
            String key;
            InetAddress address;
            IpSet ips;
            try {
                key = Key.fromBase64(ks.publicKey()).toBase64();
                address = parseAddress(ks.address(), "KubeSpan address");
                ips = allowedIps(a, address);
            } catch (IllegalArgumentException e) {
                log.warn("peer " + name + " skipped: " + e.getMessage());
                continue;
            }
            if (out.containsKey(key)) {
                log.warn("peer " + name + " skipped: its public key " + key + " is already used by another node");
                continue;
            }
            if (ips.overlaps(acceptedUnion)) {
                for (Accepted other : accepted) {
                    if (ips.overlaps(other.ips())) {
                        log.warn("peer address overlap: " + name + " and " + other.name() + " both claim "
                                + ips.intersection(other.ips()) + "; kept by " + other.name());
                        ips.removeAll(other.ips());
                    }
                }
            }
            accepted.add(new Accepted(name, ips));
            acceptedUnion.addAll(ips);
            out.put(key, new KubeSpanPeerSpec(IpLiterals.format(address), ips.toStrings(),
                    endpoints(ks.endpoints(), peerEndpoints, name, log), a.nodename()));
        }
        return out;
    }

    /**
     * additionalAddresses, plus addresses as hosts, minus excludeAdvertisedNetworks, plus the
     * KubeSpan address last so that it can never be excluded.
     */
    static IpSet allowedIps(Affiliate a, InetAddress kubeSpanAddress) {
        AffiliateKubeSpan ks = a.kubespan();
        IpSet ips = new IpSet();
        for (String p : ks.additionalAddresses()) {
            ips.add(parsePrefix(p, "additional address"));
        }
        for (String addr : a.addresses()) {
            ips.addHost(parseAddress(addr, "address"));
        }
        for (String p : ks.excludeAdvertisedNetworks()) {
            ips.remove(parsePrefix(p, "excluded network"));
        }
        ips.addHost(kubeSpanAddress);
        return ips;
    }

    private static List<String> endpoints(List<String> advertised, EndpointFilter filter, String name, Log log) {
        List<Endpoint> parsed = new ArrayList<>();
        for (String e : advertised) {
            try {
                Endpoint ep = Endpoint.parse(e);
                if (!parsed.contains(ep)) {
                    parsed.add(ep);
                }
            } catch (IllegalArgumentException ex) {
                log.warn("peer " + name + ": ignoring endpoint: " + ex.getMessage());
            }
        }
        List<String> out = new ArrayList<>();
        for (Endpoint ep : filter.apply(parsed, Endpoint::address)) {
            out.add(ep.toString());
        }
        return out;
    }

    private static InetAddress parseAddress(String text, String what) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("missing " + what);
        }
        try {
            // a registry may hand out an interface address with its length; the host is what counts
            int slash = text.indexOf('/');
            return IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + what + " '" + text + "'");
        }
    }

    private static IpPrefix parsePrefix(String text, String what) {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + what + " '" + text + "': " + e.getMessage());
        }
    }

    private static String describe(Affiliate a) {
        return a.nodename().isEmpty() ? a.nodeId() : a.nodename() + " (" + a.nodeId() + ")";
    }
}
