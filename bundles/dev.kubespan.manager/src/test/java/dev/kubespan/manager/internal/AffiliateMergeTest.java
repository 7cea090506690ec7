package dev.kubespan.manager.internal;

import static dev.kubespan.manager.internal.Fixtures.LOCAL_NODE_ID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.api.spec.Member;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.Specs;

public class AffiliateMergeTest {
    private final ControllerHarness h = new ControllerHarness();
    private final RecordingLog log = h.log;
    private final InMemoryResourceStore store = h.store;
    private RunningController merge;
    private RunningController members;

    @Before
    public void setUp() {
        Fixtures.putNodeId(store, LOCAL_NODE_ID);
        merge = h.start(new AffiliateMergeController());
        members = h.start(new MemberController());
    }

    @After
    public void tearDown() {
        h.close();
    }

    private void raw(String id, Affiliate a) {
        h.putAs("test-registry", ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, id, a);
    }

    private void local(String id, Affiliate a) {
        h.putAs(Owners.LOCAL_AFFILIATE, ResourceTypes.AFFILIATE, Namespaces.CLUSTER, id, a);
    }

    private Affiliate merged(String nodeId) {
        return store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId).map(Resource::spec).orElse(null);
    }

    @Test
    public void registriesAreMergedInRawIdOrder() {
        // written in the "wrong" order: the k8s entry is still the base because of its id
        raw("service/n1", new Affiliate("n1", List.of("10.0.0.1", "192.168.0.1"), "host-svc", "", "Talos (v1.14)",
                "unknown", Specs.kubeSpan(Specs.key("key"), "", List.of(), List.of("192.168.0.1:51820"),
                        List.of("10.9.0.0/16")),
                new ControlPlane(6443)));
        raw("k8s/n1", new Affiliate("n1", List.of("10.0.0.1"), "host-k8s", "node-1", "Talos k8s", "controlplane",
                Specs.kubeSpan(Specs.key("key"), "fd00::1", List.of("10.244.0.0/24"), List.of("10.0.0.1:51820"), List.of()),
                null));
        h.pass(merge);
        Affiliate m = merged("n1");
        assertEquals(List.of("10.0.0.1", "192.168.0.1"), m.addresses());
        assertEquals("host-svc", m.hostname());
        assertEquals("node-1", m.nodename());
        assertEquals("operating system is not merged", "Talos k8s", m.operatingSystem());
        assertEquals("controlplane", m.machineType());
        assertEquals(new ControlPlane(6443), m.controlPlane());
        assertEquals(Specs.key("key"), m.kubespan().publicKey());
        assertEquals("fd00::1", Specs.text(m.kubespan().address()));
        assertEquals("[10.0.0.1:51820, 192.168.0.1:51820]", m.kubespan().endpoints().toString());
        assertEquals("[10.244.0.0/24]", m.kubespan().additionalAddresses().toString());
        assertEquals("[10.9.0.0/16]", m.kubespan().excludeAdvertisedNetworks().toString());
        assertEquals(Owners.AFFILIATE_MERGE,
                store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, "n1").orElseThrow().metadata().owner());
    }

    @Test
    public void groupedByNodeIdNotById() {
        raw("service/n2", new Affiliate("n2", List.of("10.0.0.2"), "h2", "n2", "", "", null, null));
        raw("service/n3", new Affiliate("n3", List.of("10.0.0.3"), "h3", "n3", "", "", null, null));
        raw("service/broken", new Affiliate("", List.of("10.0.0.4"), "h4", "n4", "", "", null, null));
        h.pass(merge);
        assertEquals(List.of("10.0.0.2"), merged("n2").addresses());
        assertEquals(List.of("10.0.0.3"), merged("n3").addresses());
        assertTrue(log.warned("service/broken"));
        assertEquals(2, store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER).size());
    }

    @Test
    public void localAffiliateIsNeverOverwrittenAndStaleMergedOnesGo() {
        Affiliate local = new Affiliate(LOCAL_NODE_ID, List.of("10.0.0.100"), "me", "me", "ours", "worker", null, null);
        local(LOCAL_NODE_ID, local);
        raw("k8s/" + LOCAL_NODE_ID, new Affiliate(LOCAL_NODE_ID, List.of("1.1.1.1"), "x", "x", "", "", null, null));
        raw("service/n5", new Affiliate("n5", List.of("10.0.0.5"), "h5", "n5", "", "", null, null));
        h.pass(merge);
        assertEquals(local, merged(LOCAL_NODE_ID));
        assertTrue(merged("n5") != null);

        long writes = h.writes();
        h.pass(merge);
        assertEquals("nothing changes on an unchanged reconcile", writes, h.writes());

        store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/n5", "test-registry");
        h.pass(merge);
        assertNull(merged("n5"));
        assertEquals(local, merged(LOCAL_NODE_ID));
    }

    @Test
    public void localAffiliateIsProtectedEvenBeforeTheNodeIdIsKnown() {
        h.delete(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local");
        Affiliate local = new Affiliate("me", List.of("10.0.0.100"), "me", "me", "ours", "worker", null, null);
        local("me", local);
        raw("service/me", new Affiliate("me", List.of("1.1.1.1"), "x", "x", "", "", null, null));
        h.pass(merge);
        assertEquals(local, merged("me"));
    }

    @Test
    public void membersForEveryAffiliateWithANodename() {
        local(LOCAL_NODE_ID,
                new Affiliate(LOCAL_NODE_ID, List.of("10.0.0.100"), "me", "me", "ours", "worker", null, null));
        raw("service/n6", new Affiliate("n6", List.of("10.0.0.6"), "h6", "node-6", "Talos", "controlplane", null,
                new ControlPlane(6443)));
        raw("service/n7", new Affiliate("n7", List.of("10.0.0.7"), "h7", "", "Talos", "worker", null, null));
        h.pass(merge);
        h.pass(members);
        Member me = store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "me").orElseThrow().spec();
        assertEquals(LOCAL_NODE_ID, me.nodeId());
        assertEquals("ours", me.operatingSystem());
        Member six = store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "node-6").orElseThrow().spec();
        assertEquals(new Member("n6", List.of("10.0.0.6"), "h6", "controlplane", "Talos", new ControlPlane(6443)), six);
        assertEquals(2, store.list(ResourceTypes.MEMBER, Namespaces.CLUSTER).size());

        store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/n6", "test-registry");
        h.pass(merge);
        h.pass(members);
        assertFalse(store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "node-6").isPresent());
        assertTrue(store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "me").isPresent());
    }

    @Test
    public void duplicateNodenameKeepsTheFirstAndWarns() {
        raw("service/a", new Affiliate("a", List.of("10.0.0.1"), "h", "same", "", "", null, null));
        raw("service/b", new Affiliate("b", List.of("10.0.0.2"), "h", "same", "", "", null, null));
        h.pass(merge);
        h.pass(members);
        assertEquals("a", store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "same").orElseThrow().spec().nodeId());
        assertTrue(log.warned("same"));
    }
}
