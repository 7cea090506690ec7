package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.List;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.wireguard.Key;

/** Shared test data. */
final class Fixtures {
    static final String LOCAL_NODE_ID = "localNodeId0000000000000000000000000000000";
    static final String SECRET = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    static final String KS_ADDRESS = "fd7f:175a:b97c:5602:e871:1bff:feb2:ccee";
    static final Key LOCAL_PRIVATE = Key.generatePrivateKey();
    static final KubeSpanIdentity IDENTITY = new KubeSpanIdentity(KS_ADDRESS + "/128", "fd7f:175a:b97c:5602::/64",
            LOCAL_PRIVATE.toBase64(), LOCAL_PRIVATE.publicKey().toBase64());

    private Fixtures() {
    }

    /** A KubeSpanConfig with Talos' defaults, to be changed with the withers. */
    static final class Config {
        boolean enabled = true;
        boolean forceRouting = true;
        String secret = SECRET;
        int mtu = 1420;
        int listenPort = 51820;
        List<String> endpointFilters = List.of();
        List<String> extraEndpoints = List.of();
        List<String> exclude = List.of();
        List<String> peerEndpointFilters = List.of();
        Duration interval = Duration.ofSeconds(30);

        Config enabled(boolean v) {
            enabled = v;
            return this;
        }

        Config forceRouting(boolean v) {
            forceRouting = v;
            return this;
        }

        Config secret(String v) {
            secret = v;
            return this;
        }

        Config mtu(int v) {
            mtu = v;
            return this;
        }

        Config listenPort(int v) {
            listenPort = v;
            return this;
        }

        Config endpointFilters(String... v) {
            endpointFilters = List.of(v);
            return this;
        }

        Config extraEndpoints(String... v) {
            extraEndpoints = List.of(v);
            return this;
        }

        Config exclude(String... v) {
            exclude = List.of(v);
            return this;
        }

        Config peerEndpointFilters(String... v) {
            peerEndpointFilters = List.of(v);
            return this;
        }

        Config interval(Duration v) {
            interval = v;
            return this;
        }

        KubeSpanConfig build() {
            return new KubeSpanConfig(enabled, "clusterId", secret, forceRouting, false, mtu, endpointFilters, false,
                    extraEndpoints, exclude, listenPort, peerEndpointFilters, interval, null, null);
        }
    }

    static Config config() {
        return new Config();
    }

    static DiscoveryConfig discovery(String... endpoints) {
        return new DiscoveryConfig(true, false,
                java.util.Arrays.stream(endpoints).map(e -> new DiscoveryServiceEndpoint("svc", e, false)).toList(),
                SECRET, "clusterId");
    }

    static void putConfig(ResourceStore store, KubeSpanConfig c) {
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, c, "test-config");
    }

    static void putIdentity(ResourceStore store) {
        store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID, IDENTITY, "test-identity");
    }

    static void putNodeId(ResourceStore store, String nodeId) {
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(nodeId),
                "test-identity");
    }

    static void putDiscovery(ResourceStore store, DiscoveryConfig c) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID, c, "test-config");
    }

    static Affiliate peer(String nodeId, String nodename, Key publicKey, String ksAddress, List<String> addresses,
            List<String> additional, List<String> endpoints, List<String> exclude) {
        return new Affiliate(nodeId, addresses, nodename, nodename, "Talos", "worker",
                new AffiliateKubeSpan(publicKey == null ? "" : publicKey.toBase64(), ksAddress, additional, endpoints,
                        exclude),
                null);
    }

    static Affiliate simplePeer(String nodeId, Key publicKey, String ksAddress, String... addresses) {
        return peer(nodeId, "node-" + nodeId, publicKey, ksAddress, List.of(addresses), List.of(),
                java.util.Arrays.stream(addresses).filter(a -> !a.contains(":")).map(a -> a + ":51820").toList(),
                List.of());
    }
}
