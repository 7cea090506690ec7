package dev.kubespan.api.spec;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class SecretsNotPrintedTest {
    private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    public void recordsWithSecretsRedactThemInToString() {
        List<Object> records = List.of(
                new KubeSpanIdentity("fd00::1/128", "fd00::/64", SECRET, "pub"),
                new KubeSpanConfig(true, "cid", SECRET, true, false, 0, null, false, null, null, 0, null, null, null,
                        null),
                new DiscoveryConfig(true, false, List.of(new DiscoveryServiceEndpoint("a", "h:1", true)), SECRET, "cid"));
        for (Object r : records) {
            String text = r.toString();
            assertFalse(text, text.contains(SECRET));
            assertTrue(text, text.contains("<redacted>"));
        }
    }
}
