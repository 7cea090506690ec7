package dev.kubespan.config.internal;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.kubespan.config.ConfigProblem;

/** Shared test data and helpers. */
final class Fixtures {
    static final String FILE = "/opt/kubespan/etc/kubespan.yaml";
    /** 32 bytes, the second vector of docs/kubespan-node.md §3.3. */
    static final String CLUSTER_ID = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    /** 32 bytes; a recognisable value so that tests can check it never leaks. */
    static final String SECRET = Base64.getEncoder()
            .encodeToString("TOPSECRET-TOPSECRET-TOPSECRET-32".getBytes(StandardCharsets.US_ASCII));
    static final String OTHER_SECRET = Base64.getEncoder()
            .encodeToString("another-secret-another-secret-32".getBytes(StandardCharsets.US_ASCII));

    static final String IDENTITY_DOC = """
            apiVersion: v1alpha1
            kind: DiscoveryIdentityConfig
            clusterID: %s
            clusterSecret: %s
            """.formatted(CLUSTER_ID, SECRET);

    private Fixtures() {
    }

    record Outcome(EffectiveConfig config, Problems problems) {
        List<ConfigProblem> errors() {
            return problems.errors();
        }

        List<ConfigProblem> warnings() {
            return problems.warnings();
        }

        EffectiveConfig ok() {
            assertTrue("expected no errors, got " + errors(), errors().isEmpty());
            assertNotNull(config);
            return config;
        }

        /** Asserts rejection with a problem at exactly {@code path} whose reason contains {@code reason}. */
        ConfigProblem rejectedAt(String path, String reason) {
            assertNull("a config with errors must not be produced", config);
            for (ConfigProblem p : errors()) {
                if (p.path().equals(path) && p.reason().contains(reason)) {
                    String text = p.toString();
                    assertTrue(text, text.startsWith(p.source() + ": "));
                    assertTrue(text, text.contains(path));
                    assertTrue(text, text.contains(reason));
                    return p;
                }
            }
            fail("no error at '" + path + "' containing '" + reason + "' among " + errors());
            return null;
        }
    }

    static Outcome yaml(String text) {
        Problems p = new Problems(FILE);
        RawSettings raw = YamlConfigReader.read(text.getBytes(StandardCharsets.UTF_8), p);
        EffectiveConfig c = raw == null ? null : SettingsValidator.validate(raw, p);
        return new Outcome(c, p);
    }

    static Outcome admin(Map<String, ?> props) {
        Problems p = new Problems(ConfigController.CONFIGADMIN_SOURCE);
        RawSettings raw = ConfigAdminReader.read(props, p);
        EffectiveConfig c = SettingsValidator.validate(raw, p);
        return new Outcome(c, p);
    }

    static void assertNoSecret(Object anything) {
        String s = String.valueOf(anything);
        assertTrue("the secret leaked into: " + s, !s.contains(SECRET) && !s.contains(OTHER_SECRET)
                && !s.contains("TOPSECRET"));
    }
}
