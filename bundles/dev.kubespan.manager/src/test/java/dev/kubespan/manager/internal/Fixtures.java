package dev.kubespan.manager.internal;

import java.util.List;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.Specs;

/** Shared test data. */
final class Fixtures {
    static final String LOCAL_NODE_ID = "localNodeId0000000000000000000000000000000";
    static final String SECRET = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    static final String KS_ADDRESS = "fd7f:175a:b97c:5602:e871:1bff:feb2:ccee";
    static final Key LOCAL_PRIVATE = Key.generatePrivateKey();
    static final KubeSpanIdentity IDENTITY = new KubeSpanIdentity(IpPrefix.parse(KS_ADDRESS + "/128"),
            IpPrefix.parse("fd7f:175a:b97c:5602::/64"), LOCAL_PRIVATE, LOCAL_PRIVATE.publicKey());

    private Fixtures() {
    }

    /** An enabled KubeSpanConfig of cluster {@code clusterId} with {@link #SECRET} and forced routing. */
    static KubeSpanConfig.Builder config() {
        return KubeSpanConfig.builder().enabled(true).clusterId("clusterId").sharedSecret(SECRET).forceRouting(true);
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
                publicKey == null ? null : Specs.kubeSpan(publicKey, ksAddress, additional, endpoints, exclude),
                null);
    }

    static Affiliate simplePeer(String nodeId, Key publicKey, String ksAddress, String... addresses) {
        return peer(nodeId, "node-" + nodeId, publicKey, ksAddress, List.of(addresses), List.of(),
                java.util.Arrays.stream(addresses).filter(a -> !a.contains(":")).map(a -> a + ":51820").toList(),
                List.of());
    }
}
