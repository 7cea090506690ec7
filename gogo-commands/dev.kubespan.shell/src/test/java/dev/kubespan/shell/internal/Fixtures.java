package dev.kubespan.shell.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.Specs;
import dev.kubespan.test.TestStore;

/** Hand-made resources. */
final class Fixtures {
    static final String PRIVATE_KEY = "IGdP4qNvaHZCy2N7/6a2ucYCuHr+1N0VmHk9w9ikQ1U=";
    static final String PUBLIC_KEY = "Dr6F1JqXJQx0lSWw3cpX4HMbImFgSzTdQtyEgAOz7X8=";
    static final String PEER_A = "4Jws8wZyMm3M5Y0pMcXqQIvDnnVt1k+OZrjxmfr5BX0=";
    static final String PEER_B = "hWmpq0z0lXFXO2tRJxnJoKp1BQv3NCQk8tLqjRqpLkU=";

    private Fixtures() {
    }

    /** The fixed time of every write, so rendered timestamps are stable. */
    static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

    /** The real store on a clock stopped at {@link #T0}. */
    static TestStore emptyStore() {
        return new TestStore(Clock.fixed(T0, ZoneOffset.UTC));
    }

    static TestStore store() {
        TestStore s = emptyStore();
        s.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, "local",
                new KubeSpanIdentity(IpPrefix.parse("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128"),
                        IpPrefix.parse("fd7f:175a:b97c:5602::/64"), Key.fromBase64(PRIVATE_KEY), Key.fromBase64(PUBLIC_KEY)),
                "dev.kubespan.identity");
        s.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, PEER_B,
                Specs.peerSpec("fd7f:175a:b97c:5602::b", List.of("10.0.0.2/32", "fd7f:175a:b97c:5602::b/128"),
                        List.of("172.20.0.3:51820", "[2001:db8::3]:51820"), "worker-long-name-2"), "manager");
        s.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, PEER_A,
                Specs.peerSpec("fd7f:175a:b97c:5602::a", List.of(), List.of(), "cp1"), "manager");
        s.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local", new NodeIdentity("7x3k"), "dev.kubespan.identity");
        s.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "nodeA",
                new Affiliate("nodeA", List.of("10.0.0.1"), "a.example", "a", "Talos (v1.14.0)", "controlplane",
                        Specs.kubeSpan(PEER_A, "fd7f:175a:b97c:5602::a", List.of(), List.of("10.0.0.1:51820"),
                                List.of()), null), "manager");
        s.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/nodeA",
                new Affiliate("nodeA", List.of("10.0.0.1"), "a.example", "a", "", "controlplane", null, null),
                "discovery");
        return s;
    }
}
