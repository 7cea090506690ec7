package dev.kubespan.api;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.Key;

public class SpecValuesTest {

    @Test
    public void redactsSensitiveFieldsInOrder() {
        Key privateKey = Key.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        Map<String, Object> m = SpecValues.toMap(new KubeSpanIdentity(IpPrefix.parse("fd00::1/128"),
                IpPrefix.parse("fd00::/64"), privateKey, privateKey.publicKey()),
                ResourceTypes.KUBESPAN_IDENTITY.sensitiveFields());
        assertEquals(List.of("address", "subnet", "privateKey", "publicKey"), List.copyOf(m.keySet()));
        assertEquals(SpecValues.REDACTED, m.get("privateKey"));
        assertEquals(privateKey.publicKey().toBase64(), m.get("publicKey"));
        assertEquals("fd00::1/128", m.get("address"));
    }

    @Test
    public void rendersTimesStatesAndDurationsAsTalosDoes() {
        Map<String, Object> m = SpecValues.toMap(new KubeSpanPeerStatus(null, "n2", PeerState.UP, 10, 20,
                Instant.parse("2026-11-26T10:00:00Z"), null, null), Set.of());
        assertEquals("", m.get("endpoint"));
        assertEquals("up", m.get("state"));
        assertEquals("0001-01-01T00:00:00Z", m.get("lastEndpointChange"));
        assertEquals("2026-11-26T10:00:00Z", m.get("lastHandshakeTime"));
        assertEquals("4m35s", SpecValues.goDuration(Duration.ofSeconds(275)));
        assertEquals("30s", SpecValues.goDuration(Duration.ofSeconds(30)));
        assertEquals("1h0m0s", SpecValues.goDuration(Duration.ofHours(1)));
        assertEquals("500ms", SpecValues.goDuration(Duration.ofMillis(500)));
    }

    @Test
    public void findsTypesByAlias() {
        assertEquals(ResourceTypes.KUBESPAN_IDENTITY, ResourceTypes.find("ksi").orElseThrow());
        assertEquals(ResourceTypes.KUBESPAN_PEER_STATUS, ResourceTypes.find("KubeSpanPeerStatuses").orElseThrow());
        assertEquals(ResourceTypes.KUBESPAN_PEER_SPEC, ResourceTypes.find("ksps").orElseThrow());
        assertEquals(ResourceTypes.KUBESPAN_ENDPOINT, ResourceTypes.find("kubespanendpoints.kubespan.talos.dev").orElseThrow());
    }
}
