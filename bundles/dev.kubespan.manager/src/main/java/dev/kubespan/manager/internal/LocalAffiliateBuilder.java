package dev.kubespan.manager.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;

/** What the local node advertises (docs/kubespan-node.md §4.6), computed from plain inputs. */
final class LocalAffiliateBuilder {
    static final String MACHINE_TYPE = "worker";

    private static final Comparator<InetAddress> ADDRESS_ORDER = Comparator.comparing(IpPrefix::host);

    private LocalAffiliateBuilder() {
    }

    /**
     * @param kubeSpan the KubeSpan config, only when enabled (else null)
     * @param identity the KubeSpan identity, or null
     * @param discovered public IPs the registries reported, in resource-id order
     */
    static Affiliate build(String nodeId, String hostname, String operatingSystem, List<AddressInfo> hostAddresses,
            KubeSpanConfig kubeSpan, KubeSpanIdentity identity, List<String> discovered, Log log) {
        List<InetAddress> host = nodeAddresses(hostAddresses);
        AffiliateKubeSpan ks = null;
        List<InetAddress> published = host;
        if (kubeSpan != null && kubeSpan.enabled() && identity != null) {
            InetAddress ksAddress = identity.address().address();
            published = new ArrayList<>(host);
            published.add(ksAddress);
            published.sort(ADDRESS_ORDER);
            ks = new AffiliateKubeSpan(identity.publicKey(), ksAddress, List.of(),
                    endpoints(host, kubeSpan, discovered, log), validPrefixes(kubeSpan.excludeAdvertisedNetworks(), log));
        }
        return new Affiliate(nodeId, format(published), hostname, hostname, operatingSystem, MACHINE_TYPE, ks, null);
    }

    /**
     * The host's routed addresses: global scope, no loopback, link-local or multicast, nothing on
     * the KubeSpan link, no KubeSpan or SideroLink ULA; sorted (IPv4 first) and without duplicates.
     */
    static List<InetAddress> nodeAddresses(List<AddressInfo> addresses) {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (AddressInfo a : addresses) {
            InetAddress ip = a.prefix().address();
            if (a.scope() != AddressInfo.SCOPE_GLOBAL || KubeSpanConfig.LINK_NAME.equals(a.linkName())
                    || ip.isLoopbackAddress() || ip.isLinkLocalAddress() || ip.isMulticastAddress()
                    || ip.isAnyLocalAddress() || Ula.isKubeSpan(ip) || Ula.isSideroLink(ip)) {
                continue;
            }
            out.add(ip);
        }
        List<InetAddress> sorted = new ArrayList<>(out);
        sorted.sort(ADDRESS_ORDER);
        return sorted;
    }

    private static List<Endpoint> endpoints(List<InetAddress> host, KubeSpanConfig config, List<String> discovered,
            Log log) {
        List<InetAddress> candidates = new ArrayList<>(host);
        for (String d : discovered) {
            try {
                InetAddress ip = IpLiterals.parse(d);
                if (!candidates.contains(ip) && !Ula.isKubeSpan(ip) && !Ula.isSideroLink(ip)) {
                    candidates.add(ip);
                }
            } catch (IllegalArgumentException e) {
                log.warn("local affiliate: ignoring discovered public address: " + e.getMessage());
            }
        }
        EndpointFilter filter = EndpointFilter.parse(config.endpointFilters(), "KubeSpanConfig.endpointFilters");
        filter.errors().forEach(log::warn);
        List<Endpoint> out = new ArrayList<>();
        for (InetAddress ip : filter.apply(candidates)) {
            out.add(new Endpoint(ip, config.listenPort()));
        }
        for (String extra : config.extraEndpoints()) {
            try {
                Endpoint e = Endpoint.parse(extra);
                if (!out.contains(e)) {
                    out.add(e);
                }
            } catch (IllegalArgumentException e) {
                log.warn("local affiliate: ignoring KubeSpanConfig.extraEndpoints entry: " + e.getMessage());
            }
        }
        return out;
    }

    private static List<IpPrefix> validPrefixes(List<String> prefixes, Log log) {
        List<IpPrefix> out = new ArrayList<>();
        for (String p : prefixes) {
            try {
                IpPrefix s = IpPrefix.parse(p);
                if (!out.contains(s)) {
                    out.add(s);
                }
            } catch (IllegalArgumentException e) {
                log.warn("local affiliate: ignoring KubeSpanConfig.excludeAdvertisedNetworks entry '" + p + "': "
                        + e.getMessage());
            }
        }
        return out;
    }

    private static List<String> format(List<InetAddress> addresses) {
        List<String> out = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            out.add(IpLiterals.format(a));
        }
        return out;
    }
}
