package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.Test;

import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;

public class RegistryPlanTest {
    private static final List<DiscoveryServiceEndpoint> TWO = List.of(
            new DiscoveryServiceEndpoint("public", "discovery.talos.dev:443", false),
            new DiscoveryServiceEndpoint("local", "http://127.0.0.1:3000", false));

    private static RegistryPlan plan(DiscoveryConfig dc, KubeSpanConfig kc, String nodeId) {
        return RegistryPlan.compute(Optional.ofNullable(dc), Optional.ofNullable(kc), Optional.ofNullable(nodeId),
                new SecureRandom(), Duration.ofMinutes(30), "test");
    }

    private static DiscoveryConfig config(boolean enabled, String key, String clusterId) {
        return new DiscoveryConfig(enabled, false, TWO, key, clusterId);
    }

    private static KubeSpanConfig kubespan(boolean enabled) {
        return KubeSpanConfig.builder().enabled(enabled).clusterId("cid").sharedSecret("secret").forceRouting(true).build();
    }

    @Test
    public void enabledConfigRunsOneClientPerEndpointInOrder() {
        RegistryPlan p = plan(config(true, Fixtures.KEY_BASE64, "cid"), kubespan(true), "node1");
        assertTrue(p.running());
        assertEquals(List.of("public", "local"), List.copyOf(p.clients().keySet()));
        assertEquals(new ServiceTarget("127.0.0.1", 3000, true), p.clients().get("local").target());
        assertFalse(p.clients().get("public").target().insecure());
        assertEquals("node1", p.clients().get("public").nodeId());
    }

    @Test
    public void nothingRunsWhenDisabledOrWithoutKey() {
        RegistryPlan off = plan(config(false, Fixtures.KEY_BASE64, "cid"), null, "n");
        assertFalse(off.running());
        assertFalse(off.waiting());
        assertEquals("discovery is disabled", off.disabled().get("public").reason());

        assertEquals("KubeSpan is disabled", plan(config(true, Fixtures.KEY_BASE64, "cid"), kubespan(false), "n").reason());
        assertEquals("serviceEncryptionKey is empty", plan(config(true, "", "cid"), null, "n").reason());
        RegistryPlan badKey = plan(config(true, "c2hvcnQ=", "cid"), null, "n");
        assertEquals("serviceEncryptionKey must decode to 32 bytes, got 5", badKey.reason());
        assertFalse(badKey.reason().contains("c2hvcnQ"));
        assertEquals("serviceClusterID is empty", plan(config(true, Fixtures.KEY_BASE64, ""), null, "n").reason());
        assertFalse(plan(null, null, "n").running());
        assertTrue(plan(null, null, "n").disabled().isEmpty());
    }

    @Test
    public void missingNodeIdentityIsWaitingNotOff() {
        RegistryPlan p = plan(config(true, Fixtures.KEY_BASE64, "cid"), null, null);
        assertFalse(p.running());
        assertTrue(p.waiting());
    }

    @Test
    public void invalidEndpointIsDisabledOthersRun() {
        DiscoveryConfig dc = new DiscoveryConfig(true, false, List.of(
                new DiscoveryServiceEndpoint("bad", "ftp://x", false),
                new DiscoveryServiceEndpoint("good", "127.0.0.1:3000", true)), Fixtures.KEY_BASE64, "cid");
        RegistryPlan p = plan(dc, null, "n");
        assertEquals(List.of("good"), List.copyOf(p.clients().keySet()));
        assertTrue(p.disabled().get("bad").reason().contains("unsupported scheme"));
    }

    @Test
    public void leavingOnlyWhenTheServiceClusterOrNodeIsAbandoned() {
        RegistryPlan before = plan(config(true, Fixtures.KEY_BASE64, "cid"), null, "node1");
        DiscoveryClient.Settings old = before.clients().get("public");

        byte[] otherKey = Fixtures.KEY.clone();
        otherKey[0] ^= 1;
        RegistryPlan newKey = plan(config(true, java.util.Base64.getEncoder().encodeToString(otherKey), "cid"), null,
                "node1");
        assertFalse(old.sameAs(newKey.clients().get("public")));
        assertFalse(newKey.abandons(old));

        assertTrue(plan(config(true, Fixtures.KEY_BASE64, "other-cluster"), null, "node1").abandons(old));
        assertTrue(plan(config(false, Fixtures.KEY_BASE64, "cid"), null, "node1").abandons(old));
        assertTrue(plan(new DiscoveryConfig(true, false, List.of(TWO.get(1)), Fixtures.KEY_BASE64, "cid"), null,
                "node1").abandons(old));
        assertTrue(old.sameAs(plan(config(true, Fixtures.KEY_BASE64, "cid"), null, "node1").clients().get("public")));
    }

    @Test
    public void namesAreUniqueAndDefaultToTheEndpoint() {
        var named = RegistryPlan.named(List.of(new DiscoveryServiceEndpoint("", "https://discovery.talos.dev/", false),
                new DiscoveryServiceEndpoint("x", "a:1", false), new DiscoveryServiceEndpoint("x", "b:1", false)));
        assertEquals(List.of("discovery.talos.dev", "x", "x-2"), List.copyOf(named.keySet()));
    }
}
