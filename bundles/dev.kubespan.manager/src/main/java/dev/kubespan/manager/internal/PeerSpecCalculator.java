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
            if (a.nodeId().equals(localNodeId) || ks == null) {
                continue;
            }
            String name = describe(a);
            String key = ks.publicKey().toBase64();
            InetAddress address = ks.address();
            IpSet ips;
            try {
                if (address == null) {
                    throw new IllegalArgumentException("missing KubeSpan address");
                }
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
            out.put(key, new KubeSpanPeerSpec(address, ips.prefixes(), endpoints(ks.endpoints(), peerEndpoints),
                    a.nodename()));
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
        for (IpPrefix p : ks.additionalAddresses()) {
            ips.add(p);
        }
        for (String addr : a.addresses()) {
            ips.addHost(parseAddress(addr, "address"));
        }
        for (IpPrefix p : ks.excludeAdvertisedNetworks()) {
            ips.remove(p);
        }
        ips.addHost(kubeSpanAddress);
        return ips;
    }

    private static List<Endpoint> endpoints(List<Endpoint> advertised, EndpointFilter filter) {
        return filter.apply(advertised.stream().distinct().toList(), Endpoint::address);
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

    private static String describe(Affiliate a) {
        return a.nodename().isEmpty() ? a.nodeId() : a.nodename() + " (" + a.nodeId() + ")";
    }
}
