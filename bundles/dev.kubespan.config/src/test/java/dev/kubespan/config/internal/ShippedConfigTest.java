package dev.kubespan.config.internal;

import static dev.kubespan.config.internal.Fixtures.CLUSTER_ID;
import static dev.kubespan.config.internal.Fixtures.SECRET;
import static dev.kubespan.config.internal.Fixtures.yaml;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;

/** The distribution's default {@code etc/kubespan.yaml}: it works as shipped, and its commented keys are real. */
public class ShippedConfigTest {
    private static final String LEGACY_MARKER = "# Legacy v1alpha1 form";

    private static String shipped() throws Exception {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../../etc/kubespan.yaml").normalize();
        assertTrue("missing " + p, Files.isRegularFile(p));
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    public void asShippedItEnablesKubeSpanWithTheEmbeddedDiscoveryButHasNoIdentity() throws Exception {
        String text = shipped();
        EffectiveConfig c = yaml(text).ok();
        assertNull("no placeholder identity may ship", c.kubeSpan());
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "127.0.0.1:3000", true)),
                c.discovery().serviceEndpoints());
        assertTrue(c.discovery().discoveryEnabled());
        Problems p = new Problems("shipped");
        RawSettings raw = YamlConfigReader.read(text.getBytes(StandardCharsets.UTF_8), p);
        assertTrue(raw.kubeSpanDocument.enabled.value());
        assertTrue(text.contains("bin/kubespan gen-config"));
    }

    @Test
    public void everyCommentedDocumentKeyIsSupported() throws Exception {
        String text = shipped();
        String documents = uncomment(text.substring(text.indexOf("\n---\n"), text.indexOf(LEGACY_MARKER)));
        EffectiveConfig c = yaml(documents).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertNotNull(k);
        assertEquals(List.of("0.0.0.0/0", "!192.168.0.0/16", "::/0"), k.endpointFilters());
        assertEquals(List.of("10.96.0.0/12"), k.excludeAdvertisedNetworks());
        assertEquals(List.of("0.0.0.0/0"), k.peerEndpointFilters());
        assertEquals(List.of("203.0.113.10:51820"), k.extraEndpoints());
        assertEquals(Duration.ofSeconds(275), k.peerDownInterval());
        assertEquals(2, c.discovery().serviceEndpoints().size());
    }

    @Test
    public void theCommentedLegacyFormIsSupported() throws Exception {
        String text = shipped();
        EffectiveConfig c = yaml(uncomment(text.substring(text.indexOf(LEGACY_MARKER)))).ok();
        assertTrue(c.kubeSpan().enabled());
        assertEquals(1420, c.kubeSpan().mtu());
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "127.0.0.1:3000", true)),
                c.discovery().serviceEndpoints());
    }

    /** Uncomments the lines that are YAML (a key, a list item or a separator), not the prose. */
    private static String uncomment(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            String body = line.startsWith("# ") ? line.substring(2) : null;
            if (body != null && body.matches("(---|\\s*[A-Za-z]+:.*|\\s*- .*)")) {
                line = body.replace("<base64 of 32 random bytes>", CLUSTER_ID)
                        .replace("<standard base64 of 32 random bytes>", SECRET);
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
