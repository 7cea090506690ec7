package dev.kubespan.discovery.server.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.discovery.server.internal.CommandLine;

/** The DS component and the standalone command have the same limits by default. */
public class DiscoveryServerComponentSettingsTest {
    /** The configuration with its defaults, except for {@code overrides}. */
    static DiscoveryServerConfig config(Map<String, Object> overrides) {
        return (DiscoveryServerConfig) Proxy.newProxyInstance(DiscoveryServerConfig.class.getClassLoader(),
                new Class<?>[] {DiscoveryServerConfig.class}, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    return method.getName().equals("toString") ? "config" : null;
                });
    }

    @Test
    public void defaultLimitsAreThoseOfTheStandaloneServer() {
        String component = DiscoveryServerComponent.settings(config(Map.of()), k -> null).limitsDescription();
        String standalone = CommandLine.parse(new String[0]).toSettings(null).limitsDescription();
        assertEquals(standalone, component);
        assertTrue(component, component.endsWith("forwarding headers: ignored"));
    }

    @Test
    public void trustedProxiesAndBadValuesAreNamed() {
        String trusting = DiscoveryServerComponent.settings(config(Map.of("trust_proxy_headers", true,
                "trusted_proxies", "10.0.0.0/8, 192.0.2.1")), k -> null).limitsDescription();
        assertTrue(trusting, trusting.endsWith("forwarding headers: X-Real-IP X-Forwarded-For from [10.0.0.0/8, 192.0.2.1/32]"));
        Object[][] bad = {{"trusted_proxies", "proxy.example"}, {"max_connections", -1}, {"idle_timeout", 0L},
            {"call_threads", 0}, {"rate_max_wait", -5L}};
        for (Object[] b : bad) {
            try {
                DiscoveryServerComponent.settings(config(Map.of((String) b[0], b[1])), k -> null);
                fail(b[0] + "=" + b[1]);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(((String) b[0]).replace('_', '.') + ": "));
            }
        }
    }
}
