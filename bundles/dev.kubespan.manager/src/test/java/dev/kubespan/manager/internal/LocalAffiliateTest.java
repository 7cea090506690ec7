package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.IDENTITY;
import static dev.kubespan.manager.internal.Fixtures.KS_ADDRESS;
import static dev.kubespan.manager.internal.Fixtures.LOCAL_NODE_ID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.Specs;

public class LocalAffiliateTest {
    private static final String OS = "KubeSpan for OSGi 0.1.0 (Linux)";
    private final ControllerHarness h = new ControllerHarness();
    private final RecordingLog log = h.log;

    @After
    public void tearDown() {
        h.close();
    }
    private List<AddressInfo> host;

    private static AddressInfo addr(String link, String prefix, int scope) {
        return new AddressInfo(2, link, IpPrefix.parse(prefix), scope);
    }

    @Before
    public void setUp() {
        host = new ArrayList<>();
        host.add(addr("lo", "127.0.0.1/8", AddressInfo.SCOPE_HOST));
        host.add(addr("lo", "::1/128", AddressInfo.SCOPE_HOST));
        host.add(addr("eth0", "fe80::1/64", AddressInfo.SCOPE_LINK));
        host.add(addr("eth0", "192.168.1.10/24", AddressInfo.SCOPE_GLOBAL));
        host.add(addr("eth0", "2001:db8::10/64", AddressInfo.SCOPE_GLOBAL));
        host.add(addr("eth1", "10.0.0.5/16", AddressInfo.SCOPE_GLOBAL));
        host.add(addr("eth1", "10.0.0.5/16", AddressInfo.SCOPE_GLOBAL)); // listed twice: published once
        host.add(addr("kubespan", KS_ADDRESS + "/64", AddressInfo.SCOPE_GLOBAL));
        host.add(addr("siderolink", "fd7f:175a:b97c:5603::2/64", AddressInfo.SCOPE_GLOBAL));
    }

    private Affiliate build(KubeSpanConfig config, List<String> discovered) {
        return LocalAffiliateBuilder.build(LOCAL_NODE_ID, "node-a", OS, host, config, config == null ? null : IDENTITY,
                discovered, log);
    }

    @Test
    public void withoutKubeSpanOnlyTheHostAddressesArePublished() {
        Affiliate a = build(null, List.of("203.0.113.7"));
        assertEquals(LOCAL_NODE_ID, a.nodeId());
        assertEquals("node-a", a.hostname());
        assertEquals("node-a", a.nodename());
        assertEquals(OS, a.operatingSystem());
        assertEquals("worker", a.machineType());
        assertEquals(List.of("10.0.0.5", "192.168.1.10", "2001:db8::10"), a.addresses());
        assertNull(a.kubespan());
        assertNull(a.controlPlane());
    }

    @Test
    public void disabledConfigMeansNoKubeSpanPart() {
        Affiliate a = LocalAffiliateBuilder.build(LOCAL_NODE_ID, "node-a", OS, host,
                Fixtures.config().enabled(false).build(), IDENTITY, List.of(), log);
        assertNull(a.kubespan());
        assertFalse(a.addresses().contains(KS_ADDRESS));
    }

    @Test
    public void kubeSpanPartAndTheKubeSpanAddressAmongTheAddresses() {
        Affiliate a = build(Fixtures.config().excludeAdvertisedNetworks(List.of("10.0.0.0/16", "bogus")).build(), List.of("203.0.113.7"));
        assertEquals(List.of("10.0.0.5", "192.168.1.10", "2001:db8::10", KS_ADDRESS), a.addresses());
        assertEquals(IDENTITY.publicKey(), a.kubespan().publicKey());
        assertEquals(KS_ADDRESS, Specs.text(a.kubespan().address()));
        assertEquals(List.of(), Specs.texts(a.kubespan().additionalAddresses()));
        assertEquals(List.of("10.0.0.0/16"), Specs.texts(a.kubespan().excludeAdvertisedNetworks()));
        assertTrue(log.warned("bogus"));
        // host addresses, then the discovered public IP; never the KubeSpan or SideroLink ULA
        assertEquals(List.of("10.0.0.5:51820", "192.168.1.10:51820", "[2001:db8::10]:51820", "203.0.113.7:51820"),
                Specs.texts(a.kubespan().endpoints()));
    }

    @Test
    public void discoveredAddressAlreadyPresentIsNotRepeated() {
        Affiliate a = build(Fixtures.config().build(), List.of("192.168.1.10", "not-an-ip"));
        assertEquals(List.of("10.0.0.5:51820", "192.168.1.10:51820", "[2001:db8::10]:51820"), Specs.texts(a.kubespan().endpoints()));
        assertTrue(log.warned("not-an-ip"));
    }

    @Test
    public void filtersRunBeforeThePortAndExtrasAreNeverFiltered() {
        KubeSpanConfig c = Fixtures.config().listenPort(51999).endpointFilters(List.of("0.0.0.0/0", "!10.0.0.0/8", "::/0"))
                .extraEndpoints(List.of("10.9.9.9:4000", "192.168.1.10:51999", "[2001:db8::99]:5000")).build();
        Affiliate a = build(c, List.of("203.0.113.7"));
        assertEquals(List.of("192.168.1.10:51999", "203.0.113.7:51999", "[2001:db8::10]:51999", "10.9.9.9:4000",
                "[2001:db8::99]:5000"), Specs.texts(a.kubespan().endpoints()));
    }

    @Test
    public void filterCanDropEverything() {
        Affiliate a = build(Fixtures.config().endpointFilters(List.of("!0.0.0.0/0")).extraEndpoints(List.of("198.51.100.1:51820")).build(),
                List.of());
        assertEquals(List.of("198.51.100.1:51820"), Specs.texts(a.kubespan().endpoints()));
    }

    // --- controller

    private final InMemoryResourceStore store = h.store;
    private FakeKernel kernel;
    private RunningController controller;
    private String hostname = "node-a";

    private void controller() {
        kernel = new FakeKernel();
        kernel.hostAddresses.addAll(host);
        controller = h.start(new LocalAffiliateController(kernel, () -> hostname, OS));
    }

    private Affiliate local(String nodeId) {
        return store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId).map(Resource::spec).orElse(null);
    }

    @Test
    public void nothingWithoutARegistry() {
        controller();
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        h.pass(controller);
        assertNull(local(LOCAL_NODE_ID));
        Fixtures.putDiscovery(store, new DiscoveryConfig(false, false, List.of(), "", ""));
        h.pass(controller);
        assertNull(local(LOCAL_NODE_ID));
    }

    @Test
    public void writtenWithARegistryAndKeptCurrent() {
        controller();
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443"));
        h.pass(controller);
        Resource<Affiliate> r = store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, LOCAL_NODE_ID).orElseThrow();
        assertEquals(Owners.LOCAL_AFFILIATE, r.metadata().owner());
        assertNull(r.spec().kubespan());

        Fixtures.putConfig(store, Fixtures.config().build());
        Fixtures.putIdentity(store);
        store.put(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, "service", new DiscoveredAddress("203.0.113.7"),
                "test");
        h.pass(controller);
        Affiliate a = local(LOCAL_NODE_ID);
        assertEquals(KS_ADDRESS, Specs.text(a.kubespan().address()));
        assertTrue(a.kubespan().endpoints().contains(Endpoint.parse("203.0.113.7:51820")));

        long writes = h.writes();
        h.pass(controller);
        assertEquals("an unchanged reconcile writes nothing", writes, h.writes());

        kernel.hostAddresses.add(addr("eth2", "172.16.0.9/12", AddressInfo.SCOPE_GLOBAL));
        hostname = "node-renamed";
        h.pass(controller);
        a = local(LOCAL_NODE_ID);
        assertTrue(a.addresses().contains("172.16.0.9"));
        assertEquals("node-renamed", a.nodename());
    }

    @Test
    public void kubernetesRegistryAloneIsEnough() {
        controller();
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        Fixtures.putDiscovery(store, new DiscoveryConfig(true, true, List.of(), "", ""));
        h.pass(controller);
        assertTrue(local(LOCAL_NODE_ID) != null);
    }

    @Test
    public void deletedWhenDiscoveryIsTurnedOffAndOnNodeIdChange() {
        controller();
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443"));
        // a merged affiliate of another node must survive everything this controller does
        h.putAs(Owners.AFFILIATE_MERGE, ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "other",
                Fixtures.simplePeer("other", null, ""));
        h.pass(controller);
        Fixtures.putNodeId(store, "newNodeId");
        h.pass(controller);
        assertNull(local(LOCAL_NODE_ID));
        assertTrue(local("newNodeId") != null);
        Fixtures.putDiscovery(store, new DiscoveryConfig(true, false, List.of(), "", ""));
        h.pass(controller);
        assertNull(local("newNodeId"));
        assertTrue(local("other") != null);
    }

    @Test
    public void waitsForTheNodeIdentity() {
        controller();
        Fixtures.putDiscovery(store, Fixtures.discovery("discovery.example:443"));
        h.pass(controller);
        assertEquals(List.of(), store.list(ResourceTypes.AFFILIATE, null));
    }

    @Test
    public void operatingSystemNamesProductVersionAndOs() {
        String os = ComponentSupport.operatingSystem(new org.osgi.framework.Version(0, 1, 0, "SNAPSHOT"));
        assertTrue(os, os.startsWith("KubeSpan for OSGi 0.1.0-SNAPSHOT ("));
        assertEquals("KubeSpan for OSGi 1.2.3 (" + System.getProperty("os.name") + ")",
                ComponentSupport.operatingSystem(new org.osgi.framework.Version(1, 2, 3)));
    }

    @Test
    public void hostnameSourceReadsSomething() {
        assertFalse(new HostnameSource().get().isEmpty());
    }
}
