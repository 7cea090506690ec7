package dev.kubespan.config.internal;

import static dev.kubespan.config.internal.Fixtures.CLUSTER_ID;
import static dev.kubespan.config.internal.Fixtures.FILE;
import static dev.kubespan.config.internal.Fixtures.IDENTITY_DOC;
import static dev.kubespan.config.internal.Fixtures.OTHER_SECRET;
import static dev.kubespan.config.internal.Fixtures.SECRET;
import static dev.kubespan.config.internal.Fixtures.assertNoSecret;
import static dev.kubespan.config.internal.Fixtures.yaml;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.internal.Fixtures.Outcome;

public class YamlConfigTest {

    private static final String LEGACY_FULL = """
            version: v1alpha1
            machine:
              type: worker
              network:
                hostname: node-1
                kubespan:
                  enabled: true
                  allowDownPeerBypass: true
                  advertiseKubernetesNetworks: true
                  harvestExtraEndpoints: true
                  mtu: 1380
                  filters:
                    endpoints: ["0.0.0.0/0", "!192.168.0.0/16", "::/0"]
                    excludeAdvertisedNetworks: [10.96.0.0/12, "fd00::/8"]
                    peerEndpoints: ["!10.0.0.0/8", 0.0.0.0/0]
            cluster:
              clusterName: demo
              id: %s
              secret: %s
              discovery:
                enabled: true
                registries:
                  kubernetes:
                    disabled: true
                  service:
                    endpoint: http://discovery.example.org:3000/
            """.formatted(CLUSTER_ID, SECRET);

    @Test
    public void legacyFormIsReadCompletely() {
        EffectiveConfig c = yaml(LEGACY_FULL).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertNotNull(k);
        assertTrue(k.enabled());
        assertEquals(CLUSTER_ID, k.clusterId());
        assertEquals(SECRET, k.sharedSecret());
        assertFalse("forceRouting = !allowDownPeerBypass", k.forceRouting());
        assertTrue(k.advertiseKubernetesNetworks());
        assertTrue(k.harvestExtraEndpoints());
        assertEquals(1380, k.mtu());
        assertEquals(List.of("0.0.0.0/0", "!192.168.0.0/16", "::/0"), k.endpointFilters());
        assertEquals(List.of("10.96.0.0/12", "fd00::/8"), k.excludeAdvertisedNetworks());
        assertEquals(List.of("!10.0.0.0/8", "0.0.0.0/0"), k.peerEndpointFilters());
        DiscoveryConfig d = c.discovery();
        assertTrue(d.discoveryEnabled());
        assertFalse(d.registryKubernetesEnabled());
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "discovery.example.org:3000", true)),
                d.serviceEndpoints());
        assertEquals(SECRET, d.serviceEncryptionKey());
        assertEquals(CLUSTER_ID, d.serviceClusterID());
    }

    @Test
    public void documentFormIsReadCompletely() {
        EffectiveConfig c = yaml(IDENTITY_DOC + """
                ---
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                allowDownPeerBypass: false
                advertiseKubernetesNetworks: true
                harvestExtraEndpoints: false
                mtu: 1400
                filters:
                  endpoints:
                    - 10.0.0.0/8
                    - "!10.1.0.0/16"
                  excludeAdvertisedNetworks:
                    - 192.168.100.0/24
                  peerEndpoints:
                    - 2001:db8::/32
                ---
                apiVersion: v1alpha1
                kind: KubeSpanEndpointsConfig
                extraAnnouncedEndpoints:
                  - 203.0.113.7:51820
                  - "[2001:db8::7]:51821"
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: embedded
                endpoint: http://127.0.0.1:3000/
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: public
                endpoint: https://discovery.talos.dev/
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: grpc
                endpoint: grpc://[2001:DB8::1]:8443
                ---
                apiVersion: v1alpha1
                kind: KubeSpanAgentConfig
                listenPort: 51900
                peerReconcileInterval: 10s
                peerDownInterval: 2m30s
                endpointConnectionTimeout: 500ms
                """).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertTrue(k.enabled());
        assertTrue(k.forceRouting());
        assertTrue(k.advertiseKubernetesNetworks());
        assertFalse(k.harvestExtraEndpoints());
        assertEquals(1400, k.mtu());
        assertEquals(List.of("10.0.0.0/8", "!10.1.0.0/16"), k.endpointFilters());
        assertEquals(List.of("192.168.100.0/24"), k.excludeAdvertisedNetworks());
        assertEquals(List.of("2001:db8::/32"), k.peerEndpointFilters());
        assertEquals(List.of("203.0.113.7:51820", "[2001:db8::7]:51821"), k.extraEndpoints());
        assertEquals(51900, k.listenPort());
        assertEquals(Duration.ofSeconds(10), k.peerReconcileInterval());
        assertEquals(Duration.ofSeconds(150), k.peerDownInterval());
        assertEquals(Duration.ofMillis(500), k.endpointConnectionTimeout());
        DiscoveryConfig d = c.discovery();
        assertTrue(d.discoveryEnabled());
        assertFalse("the Kubernetes registry exists only in the v1alpha1 block", d.registryKubernetesEnabled());
        assertEquals(List.of(new DiscoveryServiceEndpoint("embedded", "127.0.0.1:3000", true),
                new DiscoveryServiceEndpoint("public", "discovery.talos.dev:443", false),
                new DiscoveryServiceEndpoint("grpc", "[2001:db8::1]:8443", false)), d.serviceEndpoints());
    }

    @Test
    public void defaultsWhenOnlyTheIdentityIsGiven() {
        EffectiveConfig c = yaml(IDENTITY_DOC).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertFalse(k.enabled());
        assertTrue(k.forceRouting());
        assertFalse(k.advertiseKubernetesNetworks());
        assertFalse(k.harvestExtraEndpoints());
        assertEquals(1420, k.mtu());
        assertEquals(List.of(), k.endpointFilters());
        assertEquals(List.of(), k.extraEndpoints());
        assertEquals(51820, k.listenPort());
        assertEquals(Duration.ofSeconds(30), k.peerReconcileInterval());
        assertEquals(Duration.ofSeconds(275), k.peerDownInterval());
        assertEquals(Duration.ofSeconds(15), k.endpointConnectionTimeout());
        assertFalse(c.discovery().discoveryEnabled());
        assertEquals(List.of(), c.discovery().serviceEndpoints());
    }

    @Test
    public void legacyDiscoveryDefaultsToTheTalosServiceAndTheKubernetesRegistry() {
        EffectiveConfig c = yaml("""
                cluster:
                  id: %s
                  secret: %s
                  discovery:
                    enabled: true
                """.formatted(CLUSTER_ID, SECRET)).ok();
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "discovery.talos.dev:443", false)),
                c.discovery().serviceEndpoints());
        assertTrue(c.discovery().registryKubernetesEnabled());

        EffectiveConfig off = yaml("""
                cluster:
                  discovery:
                    enabled: true
                    registries:
                      service:
                        disabled: true
                """).ok();
        assertEquals(List.of(), off.discovery().serviceEndpoints());
        assertTrue(off.discovery().registryKubernetesEnabled());
    }

    @Test
    public void withoutIdentityOnlyDiscoveryIsProduced() {
        EffectiveConfig c = yaml("""
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: embedded
                endpoint: http://127.0.0.1:3000/
                """).ok();
        assertNull(c.kubeSpan());
        assertFalse(c.hasIdentity());
        assertEquals("", c.discovery().serviceClusterID());
        assertEquals(1, c.discovery().serviceEndpoints().size());
    }

    @Test
    public void emptyFileIsValidWithNothingConfigured() {
        EffectiveConfig c = yaml("# nothing here\n---\n").ok();
        assertNull(c.kubeSpan());
        assertFalse(c.discovery().discoveryEnabled());
    }

    @Test
    public void legacyMtuZeroMeansDefaultAndIsCheckedOnlyWhenEnabled() {
        assertEquals(1420, yaml(legacyKubeSpan("enabled: true\nmtu: 0")).ok().kubeSpan().mtu());
        Outcome disabled = yaml(legacyKubeSpan("enabled: false\nmtu: 1000"));
        assertEquals(1000, disabled.ok().kubeSpan().mtu());
        assertEquals(1, disabled.warnings().size());
        ConfigProblem p = yaml(legacyKubeSpan("enabled: true\nmtu: 1000"))
                .rejectedAt("machine.network.kubespan.mtu", "below the minimum 1280");
        assertEquals(5, p.line());
        assertEquals(FILE, p.source());
    }

    @Test
    public void documentMtuBelowMinimumIsRejected() {
        ConfigProblem p = yaml(IDENTITY_DOC + "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nmtu: 1000\n")
                .rejectedAt("KubeSpanConfig.mtu", "MTU 1000 is below the minimum 1280");
        assertEquals(FILE + ": KubeSpanConfig.mtu (line 8): MTU 1000 is below the minimum 1280", p.toString());
        yaml(IDENTITY_DOC + "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nmtu: 0\n")
                .rejectedAt("KubeSpanConfig.mtu", "below the minimum");
    }

    @Test
    public void legacyKubeSpanAndDocumentAreMutuallyExclusive() {
        yaml(legacyKubeSpan("enabled: true") + "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n")
                .rejectedAt("KubeSpanConfig", "mutually exclusive");
    }

    @Test
    public void legacyDiscoveryBlockAndServiceDocumentsAreMutuallyExclusive() {
        yaml("""
                cluster:
                  discovery:
                    enabled: true
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: embedded
                endpoint: http://127.0.0.1:3000/
                """).rejectedAt("DiscoveryServiceConfig[embedded]", "mutually exclusive");
    }

    @Test
    public void v1alpha1IdentityWinsOverTheDocument() {
        Outcome o = yaml("""
                cluster:
                  id: legacy-id
                  secret: %s
                ---
                apiVersion: v1alpha1
                kind: DiscoveryIdentityConfig
                clusterID: %s
                clusterSecret: %s
                """.formatted(SECRET, CLUSTER_ID, OTHER_SECRET));
        KubeSpanConfig k = o.ok().kubeSpan();
        assertEquals("legacy-id", k.clusterId());
        assertEquals(SECRET, k.sharedSecret());
        assertEquals(1, o.warnings().size());
        assertEquals("DiscoveryIdentityConfig", o.warnings().get(0).path());
        assertNoSecret(o.warnings());
    }

    @Test
    public void invalidYamlIsReportedWithLineAndWithoutTheOffendingText() {
        Outcome o = yaml("apiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterSecret: " + SECRET + ": x\n");
        assertNull(o.config());
        assertEquals(1, o.errors().size());
        ConfigProblem p = o.errors().get(0);
        assertEquals(FILE, p.source());
        assertEquals(3, p.line());
        assertTrue(p.path(), p.path().startsWith("document 1"));
        assertTrue(p.reason(), p.reason().startsWith("invalid YAML"));
        assertTrue(p.reason(), p.reason().contains("mapping values are not allowed"));
        assertNoSecret(p);

        Outcome unterminated = yaml("apiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterSecret: \"" + SECRET);
        assertNull(unterminated.config());
        assertNoSecret(unterminated.errors());
    }

    @Test
    public void duplicateKeysAreAnError() {
        Outcome o = yaml("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\nenabled: false\n");
        assertNull(o.config());
        assertTrue(o.errors().toString(), o.errors().get(0).reason().contains("Duplicate field 'enabled'"));
        assertEquals(4, o.errors().get(0).line());
        ConfigProblem nested = yaml("a:\n  b:\n    - x\n    - y: 1\n      y: 2\n").errors().get(0);
        assertEquals("the path says where in the file the walk was", "document 1.a.b[1]", nested.path());
    }

    @Test
    public void secretOfWrongLengthIsRejectedWithoutShowingIt() {
        String short16 = "MDEyMzQ1Njc4OTAxMjM0NQ==";
        ConfigProblem p = yaml("""
                apiVersion: v1alpha1
                kind: DiscoveryIdentityConfig
                clusterID: abc
                clusterSecret: %s
                """.formatted(short16)).rejectedAt("DiscoveryIdentityConfig.clusterSecret",
                "must decode to exactly 32 bytes, decodes to 16");
        assertFalse(p.toString().contains(short16));
        ConfigProblem notBase64 = yaml("cluster:\n  id: abc\n  secret: \"not*base64\"\n")
                .rejectedAt("cluster.secret", "not standard base64");
        assertFalse(notBase64.toString().contains("not*base64"));
    }

    @Test
    public void halfAnIdentityIsAnError() {
        yaml("cluster:\n  id: abc\n").rejectedAt("cluster.secret", "missing");
        yaml("apiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterSecret: " + SECRET + "\n")
                .rejectedAt("DiscoveryIdentityConfig.clusterID", "missing");
    }

    @Test
    public void unknownKeysAreErrorsButOtherTalosKeysAreAccepted() {
        Outcome o = yaml("""
                version: v1alpha1
                machine:
                  type: controlplane
                  install:
                    disk: /dev/sda
                  network:
                    interfaces: []
                    kubespan:
                      enabled: true
                      mtuu: 1400
                      filters:
                        endpoint: []
                cluster:
                  controlPlane:
                    endpoint: https://1.2.3.4:6443
                  discovery:
                    enabled: true
                    registries:
                      service:
                        url: https://x
                madeUp: 1
                """);
        o.rejectedAt("machine.network.kubespan.mtuu", "unknown key");
        o.rejectedAt("machine.network.kubespan.filters.endpoint", "unknown key");
        o.rejectedAt("cluster.discovery.registries.service.url", "unknown key");
        ConfigProblem top = o.rejectedAt("madeUp", "unknown key");
        assertEquals(21, top.line());
        assertEquals("every error is reported, not just the first", 4, o.errors().size());

        yaml(IDENTITY_DOC + "---\napiVersion: v1alpha1\nkind: KubeSpanAgentConfig\nlistenport: 1\n")
                .rejectedAt("KubeSpanAgentConfig.listenport", "unknown key");
    }

    @Test
    public void badCidrsAreNamedByIndex() {
        Outcome o = yaml(IDENTITY_DOC + """
                ---
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                filters:
                  endpoints: ["0.0.0.0/0", "::/0", "10.0.0.0/33", "!not-an-ip"]
                  excludeAdvertisedNetworks: [10.0.0.0/8, 300.1.1.1/32]
                """);
        o.rejectedAt("KubeSpanConfig.filters.endpoints[2]", "'10.0.0.0/33' is not a CIDR or IP");
        o.rejectedAt("KubeSpanConfig.filters.endpoints[3]", "'!not-an-ip'");
        o.rejectedAt("KubeSpanConfig.filters.excludeAdvertisedNetworks[1]", "'300.1.1.1/32' is not a CIDR");
        assertEquals(3, o.errors().size());
    }

    @Test
    public void badEndpointsAreRejected() {
        Outcome o = yaml("""
                apiVersion: v1alpha1
                kind: KubeSpanEndpointsConfig
                extraAnnouncedEndpoints:
                  - 203.0.113.7:51820
                  - 203.0.113.7
                  - host.example.org:51820
                  - 203.0.113.7:70000
                  - 2001:db8::1:51820
                """);
        o.rejectedAt("KubeSpanEndpointsConfig.extraAnnouncedEndpoints[1]", "not ip:port");
        o.rejectedAt("KubeSpanEndpointsConfig.extraAnnouncedEndpoints[2]", "not ip:port");
        o.rejectedAt("KubeSpanEndpointsConfig.extraAnnouncedEndpoints[3]", "out of range");
        o.rejectedAt("KubeSpanEndpointsConfig.extraAnnouncedEndpoints[4]", "IPv6 needs brackets");
        assertEquals(4, o.errors().size());
    }

    @Test
    public void aDownIntervalShorterThanTheHandshakeGapIsAcceptedWithAWarning() {
        Outcome o = yaml(IDENTITY_DOC + """
                ---
                apiVersion: v1alpha1
                kind: KubeSpanAgentConfig
                peerDownInterval: 60s
                """);
        assertEquals(Duration.ofSeconds(60), o.ok().kubeSpan().peerDownInterval());
        assertEquals(1, o.warnings().size());
        assertEquals("KubeSpanAgentConfig.peerDownInterval", o.warnings().get(0).path());
        assertTrue(o.warnings().get(0).reason(), o.warnings().get(0).reason().contains("flap"));
        Outcome longEnough = yaml(IDENTITY_DOC + "---\napiVersion: v1alpha1\nkind: KubeSpanAgentConfig\npeerDownInterval: 165s\n");
        longEnough.ok();
        assertEquals(List.of(), longEnough.warnings());
    }

    @Test
    public void badDurationsAndPortsAreRejected() {
        Outcome o = yaml("""
                apiVersion: v1alpha1
                kind: KubeSpanAgentConfig
                listenPort: 0
                peerReconcileInterval: 30 seconds
                peerDownInterval: -5s
                endpointConnectionTimeout: 15
                """);
        o.rejectedAt("KubeSpanAgentConfig.listenPort", "port 0 out of range 1..65535");
        o.rejectedAt("KubeSpanAgentConfig.peerReconcileInterval", "'30 seconds' is not a duration");
        o.rejectedAt("KubeSpanAgentConfig.peerDownInterval", "must be a positive duration");
        o.rejectedAt("KubeSpanAgentConfig.endpointConnectionTimeout", "'15' is not a duration");

        yaml("apiVersion: v1alpha1\nkind: KubeSpanAgentConfig\nendpointConnectionTimeout: 5m\n")
                .rejectedAt("KubeSpanAgentConfig.endpointConnectionTimeout", "must be shorter than peerDownInterval");
    }

    @Test
    public void wrongTypesAreRejected() {
        Outcome o = yaml("""
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: "true"
                mtu: 1400.5
                harvestExtraEndpoints: 1
                filters:
                  endpoints: 10.0.0.0/8
                  peerEndpoints: [[1]]
                ---
                apiVersion: v1alpha1
                kind: DiscoveryIdentityConfig
                clusterID: [a]
                clusterSecret: {a: b}
                """);
        o.rejectedAt("KubeSpanConfig.enabled", "expected a boolean (true or false), got a string");
        o.rejectedAt("KubeSpanConfig.mtu", "expected an integer, got the number 1400.5");
        o.rejectedAt("KubeSpanConfig.harvestExtraEndpoints", "expected a boolean");
        o.rejectedAt("KubeSpanConfig.filters.endpoints", "expected a list of strings, got a string");
        o.rejectedAt("KubeSpanConfig.filters.peerEndpoints[0]", "expected a string, got a list");
        o.rejectedAt("DiscoveryIdentityConfig.clusterID", "expected a string, got a list");
        o.rejectedAt("DiscoveryIdentityConfig.clusterSecret", "expected a string, got a mapping");
        yaml("- a\n- b\n").rejectedAt("document 1", "expected a mapping of keys, got a list");
        yaml("machine: 3\n").rejectedAt("machine", "expected a mapping, got the number 3");
        yaml("apiVersion: v1alpha1\nkind: KubeSpanConfig\nmtu: 0x500\n").rejectedAt("KubeSpanConfig.mtu",
                "expected a decimal integer");
    }

    @Test
    public void aliasesAreRejectedRatherThanMisread() {
        yaml("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: &on true\nharvestExtraEndpoints: *on\n")
                .rejectedAt("KubeSpanConfig.harvestExtraEndpoints", "aliases");
    }

    @Test
    public void discoveryUrlsAreChecked() {
        Outcome o = yaml("""
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: a
                endpoint: ftp://x/
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: b
                endpoint: http:///nohost
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: a
                endpoint: https://y/
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                endpoint: https://z/
                """);
        o.rejectedAt("DiscoveryServiceConfig[a].endpoint", "the scheme must be http, https or grpc");
        o.rejectedAt("DiscoveryServiceConfig[b].endpoint", "has no host");
        o.rejectedAt("DiscoveryServiceConfig[a]", "names must be unique");
        o.rejectedAt("DiscoveryServiceConfig[#4].name", "missing");
    }

    @Test
    public void oneUrlMayListReplicasOfOneService() {
        Outcome o = yaml("""
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: fleet
                endpoint: http://10.0.0.1:3000,DISCOVERY-2.example:3000,[fd00::3]:3000/
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: broken
                endpoint: https://a.example,,b.example/
                """);
        o.rejectedAt("DiscoveryServiceConfig[broken].endpoint", "empty entry");
        assertEquals(new dev.kubespan.api.spec.DiscoveryServiceEndpoint("fleet",
                "10.0.0.1:3000,discovery-2.example:3000,[fd00::3]:3000", true),
                DiscoveryUrls.toEndpoint("fleet", "http://10.0.0.1:3000,DISCOVERY-2.example:3000,[fd00::3]:3000/"));
        assertEquals("a.example:443,b.example:8443",
                DiscoveryUrls.toEndpoint("x", "https://a.example,b.example:8443").endpoint());
    }

    @Test
    public void singletonDocumentsMayNotRepeat() {
        yaml("apiVersion: v1alpha1\nkind: KubeSpanConfig\n---\napiVersion: v1alpha1\nkind: KubeSpanConfig\n")
                .rejectedAt("KubeSpanConfig", "a second KubeSpanConfig document");
        yaml("apiVersion: v1alpha1\nkind: KubeSpanConfig\napiVersion2: x\n").rejectedAt("KubeSpanConfig.apiVersion2",
                "unknown key");
        yaml("apiVersion: v1alpha2\nkind: KubeSpanConfig\n").rejectedAt("KubeSpanConfig.apiVersion",
                "unsupported apiVersion 'v1alpha2'");
    }

    @Test
    public void nearMissKindsAreErrorsOtherKindsWarnings() {
        yaml("apiVersion: v1alpha1\nkind: KubespanEndpointsConfig\nextraAnnouncedEndpoints: []\n")
                .rejectedAt("document 1.kind", "did you mean 'KubeSpanEndpointsConfig'");
        Outcome other = yaml("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: node-1\n");
        other.ok();
        assertEquals(1, other.warnings().size());
        assertTrue(other.warnings().get(0).reason().contains("not a KubeSpan setting"));
    }

    @Test
    public void explicitlyEmptyEndpointFilterMeansNoFiltering() {
        KubeSpanConfig k = yaml(IDENTITY_DOC + "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nfilters:\n"
                + "  endpoints: []\n").ok().kubeSpan();
        assertEquals(List.of(), k.endpointFilters());
    }

    @Test
    public void noMessageOrToStringEverContainsTheSecret() {
        Outcome o = yaml("""
                cluster:
                  id: %s
                  secret: %s
                  discovery:
                    enabled: maybe
                  madeUp: %s
                """.formatted(CLUSTER_ID, SECRET, SECRET));
        assertFalse(o.errors().isEmpty());
        assertNoSecret(o.errors());
        EffectiveConfig ok = yaml(LEGACY_FULL).ok();
        assertNoSecret(ok);
        assertNoSecret(ok.describe());
        Problems p = new Problems(FILE);
        assertNoSecret(YamlConfigReader.read(LEGACY_FULL.getBytes(), p));
    }

    private static String legacyKubeSpan(String body) {
        StringBuilder sb = new StringBuilder("machine:\n  network:\n    kubespan:\n");
        for (String line : body.split("\n")) {
            sb.append("      ").append(line).append('\n');
        }
        return sb + "cluster:\n  id: " + CLUSTER_ID + "\n  secret: " + SECRET + "\n";
    }
}
