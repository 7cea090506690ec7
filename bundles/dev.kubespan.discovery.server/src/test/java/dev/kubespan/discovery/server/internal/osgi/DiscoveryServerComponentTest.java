package dev.kubespan.discovery.server.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.discovery.server.internal.ServerSettings;

/** The component's configuration keys for the state backend and the caps, as ConfigAdmin would give them. */
public class DiscoveryServerComponentTest {
    /** A config with the metatype defaults, except {@code values} (keyed by method name). */
    private static DiscoveryServerConfig config(Map<String, Object> values) {
        return (DiscoveryServerConfig) Proxy.newProxyInstance(DiscoveryServerConfig.class.getClassLoader(),
                new Class<?>[] {DiscoveryServerConfig.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    Object d = method.getDefaultValue();
                    if (d == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return d;
                });
    }

    private static ServerSettings settings(Map<String, Object> values) {
        return DiscoveryServerComponent.settings(config(values), key -> null);
    }

    @Test
    public void defaultsKeepTheStateInMemoryWithTheBundleCaps() {
        String s = settings(Map.of()).toString();
        assertTrue(s, s.contains("state=memory maxClusters=1000 maxAffiliates=10000"));
    }

    @Test
    public void etcdKeysMakeAnEtcdBackend() {
        String s = settings(Map.of("state", "etcd", "etcd_endpoints", "https://10.0.0.1:2379,https://10.0.0.2:2379",
                "etcd_ca", "/etc/kubespan/ca.pem", "etcd_cert", "/etc/kubespan/c.pem", "etcd_key", "/etc/kubespan/k.pem",
                "etcd_prefix", "/site-a", "max_clusters", 5, "max_affiliates", 50)).toString();
        assertTrue(s, s.contains("state=https://10.0.0.1:2379,https://10.0.0.2:2379 prefix /site-a/ client certificate"));
        assertTrue(s, s.contains("maxClusters=5 maxAffiliates=50"));
    }

    @Test
    public void badValuesNameTheirKey() {
        assertEquals("state: expected memory or etcd, got 'redis'",
                assertThrows(IllegalArgumentException.class, () -> settings(Map.of("state", "redis"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("state", "etcd"))).getMessage()
                .startsWith("etcd.endpoints: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("state", "etcd", "etcd_endpoints",
                "http://10.0.0.1:2379", "etcd_cert", "/c.pem"))).getMessage().startsWith("etcd.*: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("max_clusters", 0))).getMessage()
                .contains("max.clusters"));
    }
}
