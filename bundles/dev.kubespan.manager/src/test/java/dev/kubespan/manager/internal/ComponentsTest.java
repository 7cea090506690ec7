package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.LOCAL_NODE_ID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.log.Logger;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.OsgiLogger;
import dev.kubespan.test.RecordingLog;

/** All DS components together on their own threads, with a fake kernel: wiring, flow and deactivation. */
public class ComponentsTest {
    private static final Key PEER = Key.generatePrivateKey().publicKey();

    private static Logger logger() {
        return OsgiLogger.of(new RecordingLog());
    }

    private static BundleContext context() {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, a) -> m.getName().equals("getVersion") ? new Version(0, 1, 0, "SNAPSHOT") : null);
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> m.getName().equals("getBundle") ? bundle : null);
    }

    private static DeviceComponent.Config deviceConfig() {
        return new DeviceComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DeviceComponent.Config.class;
            }

            @Override
            public int startupGraceSeconds() {
                return 0;
            }
        };
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    public void rawAffiliateBecomesATunnelAndDeactivationLeavesItUp() throws Exception {
        InMemoryResourceStore store = new InMemoryResourceStore();
        FakeKernel kernel = new FakeKernel();
        kernel.hostAddresses.add(new AddressInfo(2, "eth0", IpPrefix.parse("192.168.1.10/24"), 0));
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443"));
        Fixtures.putConfig(store, Fixtures.config().build());
        Fixtures.putIdentity(store);

        LocalAffiliateComponent local = new LocalAffiliateComponent(store, kernel, logger(), context());
        AffiliateMergeComponent merge = new AffiliateMergeComponent(store, logger());
        PeerSpecComponent specs = new PeerSpecComponent(store, logger());
        DeviceComponent device = new DeviceComponent(store, kernel, kernel, kernel, logger(), deviceConfig());

        store.claim("test-registry", ResourceTypes.AFFILIATE, false); // as a registry bundle does
        store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/n1",
                Fixtures.simplePeer("n1", PEER, "fd7f:175a:b97c:5602::1", "192.168.1.20"), "test-registry");

        await("the peer spec", () -> store.get(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, PEER.toBase64())
                .isPresent());
        // as the status bundle would: seen, first endpoint chosen
        store.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, PEER.toBase64(), new KubeSpanPeerStatus("",
                "n1", PeerState.UNKNOWN, 0, 0, null, "192.168.1.20:51820", Instant.now()), "test-status");
        await("the peer on the device", () -> kernel.hasPeer(PEER));
        assertEquals(Endpoint.parse("192.168.1.20:51820"), kernel.endpointOf(PEER));
        await("the route to the peer", () -> kernel.routeCount() == 1);
        await("the members", () -> store.list(ResourceTypes.MEMBER, Namespaces.CLUSTER).size() == 2);
        Affiliate me = store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, LOCAL_NODE_ID).orElseThrow().spec();
        await("the local affiliate with the KubeSpan address", () -> store
                .get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, LOCAL_NODE_ID).orElseThrow().spec().kubespan() != null);
        assertTrue(me.operatingSystem().startsWith("KubeSpan for OSGi 0.1.0-SNAPSHOT"));

        // a new host address reaches the local affiliate through HostNetwork.onChange
        kernel.hostAddresses.add(new AddressInfo(3, "eth1", IpPrefix.parse("172.16.0.9/12"), 0));
        kernel.fireChange();
        await("the new address published", () -> store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, LOCAL_NODE_ID)
                .orElseThrow().spec().addresses().contains("172.16.0.9"));

        // bundle stop: every thread, watch and listener goes; the tunnel and the resources stay
        int storeSize = store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).size();
        device.deactivate();
        specs.deactivate();
        merge.deactivate();
        local.deactivate();
        kernel.resetCalls();
        assertEquals(0, store.watchCount());
        assertEquals(0, kernel.changeListeners());
        assertTrue(kernel.linkExists("kubespan"));
        assertEquals(1, kernel.routeCount());
        assertEquals("2 forcing + tcp sport/dport 443 for both families", 6, kernel.ruleCount());
        assertEquals(storeSize, store.list(ResourceTypes.KUBESPAN_PEER_SPEC, null).size());
        Thread.sleep(100);
        assertEquals(0, kernel.mutations());
        assertTrue(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .noneMatch(n -> n.startsWith("kubespan-manager/")));
        store.deactivate();
    }
}
