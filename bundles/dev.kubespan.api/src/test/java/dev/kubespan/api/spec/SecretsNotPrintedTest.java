package dev.kubespan.api.spec;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

public class SecretsNotPrintedTest {
    private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    public void recordsWithSecretsRedactThemInToString() {
        List<Object> records = List.of(
                new KubeSpanIdentity(IpPrefix.parse("fd00::1/128"), IpPrefix.parse("fd00::/64"), Key.fromBase64(SECRET),
                        Key.fromBase64(SECRET).publicKey()),
                KubeSpanConfig.builder().enabled(true).clusterId("cid").sharedSecret(SECRET).forceRouting(true).build(),
                new DiscoveryConfig(true, false, List.of(new DiscoveryServiceEndpoint("a", "h:1", true)), SECRET, "cid"));
        for (Object r : records) {
            String text = r.toString();
            assertFalse(text, text.contains(SECRET));
            assertTrue(text, text.contains("<redacted>"));
        }
    }
}
