package dev.kubespan.config.internal;

import static dev.kubespan.config.internal.Fixtures.CLUSTER_ID;
import static dev.kubespan.config.internal.Fixtures.SECRET;
import static dev.kubespan.config.internal.Fixtures.admin;
import static dev.kubespan.config.internal.Fixtures.assertNoSecret;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.config.internal.Fixtures.Outcome;

public class ConfigAdminReaderTest {

    @Test
    public void typedPropertiesGiveTheSameResourcesAsTheFile() {
        Map<String, Object> p = new HashMap<>();
        p.put("source", "configadmin");
        p.put("component.name", "dev.kubespan.config");
        p.put("kubespan.enabled", true);
        p.put("kubespan.allowDownPeerBypass", true);
        p.put("kubespan.mtu", 1400);
        p.put("kubespan.filters.endpoints", new String[] { "0.0.0.0/0", "!10.0.0.0/8" });
        p.put("kubespan.filters.excludeAdvertisedNetworks", List.of("192.168.0.0/16"));
        p.put("kubespan.extraAnnouncedEndpoints", new String[] { "203.0.113.1:51820" });
        p.put("kubespan.listenPort", 51821);
        p.put("kubespan.peerDownInterval", "4m35s");
        p.put("cluster.id", CLUSTER_ID);
        p.put("cluster.secret", SECRET);
        p.put("discovery.endpoints", new String[] { "embedded=http://127.0.0.1:3000/", "https://discovery.talos.dev/" });
        EffectiveConfig c = admin(p).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertTrue(k.enabled());
        assertFalse(k.forceRouting());
        assertEquals(1400, k.mtu());
        assertEquals(List.of("0.0.0.0/0", "!10.0.0.0/8"), k.endpointFilters());
        assertEquals(List.of("192.168.0.0/16"), k.excludeAdvertisedNetworks());
        assertEquals(List.of("203.0.113.1:51820"), k.extraEndpoints());
        assertEquals(51821, k.listenPort());
        assertEquals(Duration.ofSeconds(275), k.peerDownInterval());
        assertEquals(SECRET, c.discovery().serviceEncryptionKey());
        assertEquals(List.of(new DiscoveryServiceEndpoint("embedded", "127.0.0.1:3000", true),
                new DiscoveryServiceEndpoint("default", "discovery.talos.dev:443", false)),
                c.discovery().serviceEndpoints());
        assertTrue(c.discovery().discoveryEnabled());
    }

    @Test
    public void stringPropertiesAsFileInstallDeliversThem() {
        Map<String, Object> p = new HashMap<>();
        p.put("kubespan.enabled", "true");
        p.put("kubespan.mtu", "1380");
        p.put("kubespan.filters.endpoints", "10.0.0.0/8, !10.1.0.0/16");
        p.put("cluster.id", CLUSTER_ID);
        p.put("cluster.secret", SECRET);
        p.put("discovery.enabled", "false");
        p.put("discovery.endpoints", "http://127.0.0.1:3000/");
        EffectiveConfig c = admin(p).ok();
        assertTrue(c.kubeSpan().enabled());
        assertEquals(1380, c.kubeSpan().mtu());
        assertEquals(List.of("10.0.0.0/8", "!10.1.0.0/16"), c.kubeSpan().endpointFilters());
        assertFalse("discovery.enabled=false switches the services off", c.discovery().discoveryEnabled());
        assertEquals(List.of(), c.discovery().serviceEndpoints());
    }

    @Test
    public void noPropertiesMeansDefaultsAndNoIdentity() {
        EffectiveConfig c = admin(Map.of()).ok();
        assertNull(c.kubeSpan());
        assertFalse(c.discovery().discoveryEnabled());
    }

    @Test
    public void badValuesAreReportedByKey() {
        Map<String, Object> p = new HashMap<>();
        p.put("kubespan.enabled", "yes please");
        p.put("kubespan.mtu", 1000);
        p.put("kubespan.mtuu", 1400);
        p.put("kubespan.listenPort", "x");
        p.put("kubespan.filters.endpoints", new String[] { "10.0.0.0/8", "bad" });
        p.put("kubespan.peerReconcileInterval", "30");
        p.put("cluster.id", CLUSTER_ID);
        p.put("cluster.secret", "c2hvcnQ=");
        p.put("discovery.endpoints", new String[] { "ftp://x/" });
        p.put("unrelated.key", "is not ours and is ignored");
        Outcome o = admin(p);
        o.rejectedAt("kubespan.enabled", "expected true or false");
        o.rejectedAt("kubespan.mtu", "below the minimum 1280");
        o.rejectedAt("kubespan.mtuu", "unknown key");
        o.rejectedAt("kubespan.listenPort", "expected an integer");
        o.rejectedAt("kubespan.filters.endpoints[1]", "'bad' is not a CIDR");
        o.rejectedAt("kubespan.peerReconcileInterval", "not a duration");
        o.rejectedAt("cluster.secret", "exactly 32 bytes");
        o.rejectedAt("discovery.endpoints[0]", "scheme must be http, https or grpc");
        assertEquals(8, o.errors().size());
        assertNoSecret(o.errors());
        assertEquals("configadmin:dev.kubespan.config", o.errors().get(0).source());
    }
}
