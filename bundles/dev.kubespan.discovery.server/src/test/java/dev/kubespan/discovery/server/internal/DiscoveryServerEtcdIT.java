package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertTrue;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.rules.TestName;

/**
 * The conformance tests of {@link DiscoveryServerTest}, unchanged, against the etcd backend: a
 * real three-member etcd in network namespaces; every test under its own key prefix.
 */
public class DiscoveryServerEtcdIT extends DiscoveryServerTest {
    private static EtcdLab etcd;

    @Rule
    public TestName test = new TestName();

    @BeforeClass
    public static void startEtcd() throws Exception {
        etcd = EtcdLab.start("conformance", 3);
    }

    @AfterClass
    public static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected ServerSettings settings() {
        return super.settings().etcd(etcd.settings("/conformance/" + test.getMethodName() + "/"));
    }

    /** A restarted replica reads its state back from etcd, which it reports as available. */
    @Override
    protected void assertRestoredFromStorage(String metrics) {
        assertTrue(metrics, metrics.contains("discovery_backend_available 1\n"));
    }
}
