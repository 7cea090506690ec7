package dev.kubespan.identity.internal;

import static dev.kubespan.identity.internal.TestSupport.await;
import static dev.kubespan.identity.internal.TestSupport.config;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.wireguard.Key;

/** The controllers against the real in-memory store, a fake host network and a temporary state directory. */
public class KubeSpanIdentityControllerTest {
    private static final String CLUSTER_1 = "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=";
    private static final String CLUSTER_2 = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    private static final LinkInfo ETH0 = MacSelectorTest.link("eth0", "", 1, "ea:71:1b:b2:cc:ee");
    private static final LinkInfo LO = MacSelectorTest.link("lo", "", 772, "00:00:00:00:00:00");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private InMemoryResourceStore store;
    private TestSupport.FakeHostNetwork net;
    private TestSupport.RecordingLog log;
    private Path stateDir;
    private KubeSpanIdentityController controller;

    @Before
    public void setUp() {
        store = new InMemoryResourceStore();
        net = new TestSupport.FakeHostNetwork();
        log = new TestSupport.RecordingLog();
        stateDir = tmp.getRoot().toPath().resolve("state");
    }

    @After
    public void tearDown() {
        if (controller != null) {
            controller.close();
        }
        store.deactivate();
    }

    private void start(String macInterface) {
        controller = new KubeSpanIdentityController(store, net, log.logger, stateDir, macInterface);
        controller.start();
    }

    private Optional<Resource<KubeSpanIdentity>> identity() {
        return store.get(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID);
    }

    private void setConfig(KubeSpanConfig c) {
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, c, "test");
    }

    @Test
    public void publishesTalosAddressWhileEnabledAndDeletesWhenDisabled() throws Exception {
        net.setLinks(LO, ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("identity", () -> identity().isPresent());
        KubeSpanIdentity id = identity().get().spec();
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", id.address());
        assertEquals("fd7f:175a:b97c:5602::/64", id.subnet());
        assertEquals(Key.fromBase64(id.privateKey()).publicKey().toBase64(), id.publicKey());
        assertEquals(KubeSpanIdentityController.OWNER, identity().get().metadata().owner());
        assertEquals(SecureFiles.DIR_MODE, Files.getPosixFilePermissions(stateDir));
        assertTrue(log.has("INFO Generated a new KubeSpan key pair in " + stateDir.resolve("kubespan-identity.yaml")));
        assertFalse("private key must not be logged", log.all().contains(id.privateKey()));

        setConfig(config(false, CLUSTER_1));
        await("identity removed", () -> identity().isEmpty());
        assertTrue(Files.exists(stateDir.resolve("kubespan-identity.yaml")));

        setConfig(config(true, CLUSTER_1));
        await("identity again", () -> identity().isPresent());
        assertEquals(id.privateKey(), identity().get().spec().privateKey());
        assertEquals(id.address(), identity().get().spec().address());
        assertFalse(log.all().contains(id.privateKey()));
    }

    @Test
    public void absentConfigMeansNoIdentity() throws Exception {
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("identity", () -> identity().isPresent());
        store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        await("identity removed", () -> identity().isEmpty());
    }

    @Test
    public void clusterIdChangeWhileEnabledRecomputes() throws Exception {
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("identity", () -> identity().isPresent());
        String key = identity().get().spec().publicKey();
        setConfig(config(true, CLUSTER_2));
        await("new subnet", () -> identity().get().spec().subnet().equals("fd62:679f:48cb:8002::/64"));
        assertEquals("fd62:679f:48cb:8002:e871:1bff:feb2:ccee/128", identity().get().spec().address());
        assertEquals(key, identity().get().spec().publicKey());
        assertEquals(2, identity().get().version());
    }

    /** A controller that is not started: the test drives reconcile() itself, on its own thread. */
    private KubeSpanIdentityController manual(String macInterface) {
        controller = new KubeSpanIdentityController(store, net, log.logger, stateDir, macInterface);
        return controller;
    }

    @Test
    public void macChangeWhileEnabledDoesNotMoveTheAddress() throws Exception {
        KubeSpanIdentityController c = manual("");
        net.setLinks(ETH0);
        setConfig(config(true, CLUSTER_1));
        c.reconcile();
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address());
        net.setLinks(MacSelectorTest.link("aaa0", "", 1, "52:54:00:00:00:01"), ETH0);
        KubeSpanConfig k = config(true, CLUSTER_1);
        setConfig(new KubeSpanConfig(true, CLUSTER_1, k.sharedSecret(), k.forceRouting(), false, 1400,
                k.endpointFilters(), false, k.extraEndpoints(), k.excludeAdvertisedNetworks(), 0,
                k.peerEndpointFilters(), null, null, null));
        c.reconcile();
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address());
        assertEquals(1, identity().get().version());
        // a disable/enable cycle is what picks up the new first link, as on Talos
        setConfig(config(false, CLUSTER_1));
        c.reconcile();
        setConfig(config(true, CLUSTER_1));
        c.reconcile();
        assertEquals("fd7f:175a:b97c:5602:5054:ff:fe00:1/128", identity().get().spec().address());
    }

    @Test
    public void waitsForALinkThenPublishes() throws Exception {
        net.setLinks(LO);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("warning", () -> log.has("WARN cannot choose a link for the KubeSpan address"));
        assertTrue(identity().isEmpty());
        net.setLinks(LO, MacSelectorTest.link("veth0", "veth", 1, "02:00:5e:00:53:01"));
        await("identity", () -> identity().isPresent());
        assertEquals("fd7f:175a:b97c:5602:0:5eff:fe00:5301/128", identity().get().spec().address());
        assertTrue(log.all(), log.has("INFO Published KubeSpan identity fd7f:175a:b97c:5602:0:5eff:fe00:5301/128"));
        assertTrue(log.all(), log.all().contains("no physical Ethernet link; the first Ethernet-type link (kind veth) veth0"));
        assertEquals(1, log.count("WARN cannot choose"));
    }

    @Test
    public void configuredInterfaceIsUsed() throws Exception {
        net.setLinks(ETH0, MacSelectorTest.link("eth1", "", 1, "00:00:5e:00:53:01"));
        start("eth1");
        setConfig(config(true, CLUSTER_2));
        await("identity", () -> identity().isPresent());
        assertEquals("fd62:679f:48cb:8002:200:5eff:fe00:5301/128", identity().get().spec().address());
    }

    @Test
    public void corruptFileIsAnErrorAndNothingIsPublishedOrOverwritten() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "privateKey: ???\n");
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("error", () -> log.has("ERROR " + file + ": corrupt"));
        assertTrue(identity().isEmpty());
        assertEquals("privateKey: ???\n", Files.readString(file));
    }

    @Test
    public void aPersistingProblemIsLoggedOnce() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "privateKey: ???\n");
        KubeSpanIdentityController c = manual("");
        net.setLinks(ETH0);
        setConfig(config(true, CLUSTER_1));
        c.reconcile();
        c.reconcile();
        c.reconcile();
        assertEquals(log.all(), 1, log.count("ERROR " + file));
        assertTrue(identity().isEmpty());
        Files.delete(file); // the operator removes it: a new key is generated on the next wake
        c.reconcile();
        assertTrue(identity().isPresent());
    }

    @Test
    public void allZeroFileIsAnError() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "address: \"\"\nsubnet: \"\"\nprivateKey: \"\"\npublicKey: \"\"\n");
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("error", () -> log.has("ERROR " + file + ": holds an all-zero (empty) identity"));
        assertTrue(identity().isEmpty());
    }

    @Test
    public void aRestartedControllerAdoptsTheResourceEvenIfTheMacChanged() throws Exception {
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("identity", () -> identity().isPresent());
        Resource<KubeSpanIdentity> before = identity().get();
        controller.close();

        net.setLinks(MacSelectorTest.link("aaa0", "", 1, "52:54:00:00:00:01"), ETH0);
        log.lines.clear();
        start("");
        await("adopted", () -> log.has("INFO Adopted the existing KubeSpan identity"));
        assertEquals(before, identity().get());
    }

    @Test
    public void aRestartedControllerReplacesAResourceWithOtherKeys() throws Exception {
        net.setLinks(ETH0);
        Key stray = Key.generatePrivateKey();
        store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID,
                new KubeSpanIdentity("fd7f:175a:b97c:5602::1/128", "fd7f:175a:b97c:5602::/64", stray.toBase64(),
                        stray.publicKey().toBase64()), "old");
        setConfig(config(true, CLUSTER_1));
        start("");
        await("replaced", () -> !identity().get().spec().privateKey().equals(stray.toBase64()));
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address());
    }

    @Test
    public void closeRemovesTheLinkListenerAndKeepsTheResource() throws Exception {
        net.setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        await("identity", () -> identity().isPresent());
        assertEquals(1, net.listenerCount());
        controller.close();
        controller = null;
        assertEquals(0, net.listenerCount());
        assertTrue(identity().isPresent());
    }

    @Test
    public void nodeIdentityIsPublishedWithoutKubeSpan() throws Exception {
        try (NodeIdentityController node = new NodeIdentityController(store, log.logger, stateDir)) {
            node.start();
            await("node identity",
                    () -> store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isPresent());
        }
        String id = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).get().spec().nodeId();
        assertEquals(43, id.length());
        assertEquals("nodeId: " + id + "\n", Files.readString(stateDir.resolve("node-identity.yaml")));
        assertNotEquals(-1, log.all().indexOf(id));
        assertTrue(identity().isEmpty());
    }

    @Test
    public void corruptNodeIdFileIsAnError() throws Exception {
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("node-identity.yaml"), "nodeId: [1, 2]\n");
        try (NodeIdentityController node = new NodeIdentityController(store, log.logger, stateDir)) {
            node.start();
            await("error", () -> log.has("ERROR " + stateDir.resolve("node-identity.yaml") + ": corrupt"));
        }
        assertTrue(store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isEmpty());
    }
}
