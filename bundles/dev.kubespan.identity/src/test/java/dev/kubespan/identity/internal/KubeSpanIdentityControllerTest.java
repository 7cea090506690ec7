package dev.kubespan.identity.internal;

import static dev.kubespan.identity.internal.TestSupport.config;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.ControllerHarness;

/**
 * The controllers on the real store and runtime ({@link ControllerHarness}: passes run on the
 * test thread), a fake host network and a temporary state directory.
 */
public class KubeSpanIdentityControllerTest {
    private static final String CLUSTER_1 = "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=";
    private static final String CLUSTER_2 = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    private static final LinkInfo ETH0 = MacSelectorTest.link("eth0", "", 1, "ea:71:1b:b2:cc:ee");
    private static final LinkInfo LO = MacSelectorTest.link("lo", "", 772, "00:00:00:00:00:00");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private ControllerHarness h;
    private TestSupport.FakeHostNetwork net;
    private Path stateDir;
    private RunningController controller;

    @Before
    public void setUp() {
        h = new ControllerHarness();
        net = new TestSupport.FakeHostNetwork();
        stateDir = tmp.getRoot().toPath().resolve("state");
    }

    @After
    public void tearDown() {
        h.close();
    }

    /** Starts the controller wired as KubeSpanIdentityComponent wires it: a host link change triggers a pass. */
    private void start(String macInterface) {
        controller = h.start(new KubeSpanIdentityController(net, stateDir, macInterface));
        controller.closeWith(net.onChange(controller::trigger));
    }

    private void setLinks(LinkInfo... links) {
        net.setLinks(links);
        h.settle();
    }

    private Optional<Resource<KubeSpanIdentity>> identity() {
        return h.get(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID);
    }

    private void setConfig(KubeSpanConfig c) {
        h.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, c);
        h.settle();
    }

    private boolean logged(String linePrefix) {
        return h.log.count(l -> l.startsWith(linePrefix)) > 0;
    }

    private long count(String linePrefix) {
        return h.log.count(l -> l.startsWith(linePrefix));
    }

    private String all() {
        return String.join("\n", h.log.lines());
    }

    private List<String> errors() {
        return h.log.at("ERROR");
    }

    @Test
    public void publishesTalosAddressWhileEnabledAndDeletesWhenDisabled() throws Exception {
        setLinks(LO, ETH0);
        start("");
        assertTrue("no config, no identity", identity().isEmpty());
        setConfig(config(true, CLUSTER_1));
        KubeSpanIdentity id = identity().get().spec();
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", id.address().toString());
        assertEquals("fd7f:175a:b97c:5602::/64", id.subnet().toString());
        assertEquals(id.privateKey().publicKey(), id.publicKey());
        assertEquals(KubeSpanIdentityController.NAME, identity().get().metadata().owner());
        assertEquals(SecureFiles.DIR_MODE, Files.getPosixFilePermissions(stateDir));
        assertTrue(logged("INFO Generated a new KubeSpan key pair in " + stateDir.resolve("kubespan-identity.yaml")));
        assertFalse("private key must not be logged", all().contains(id.privateKey().toBase64()));

        setConfig(config(false, CLUSTER_1));
        assertTrue("identity removed", identity().isEmpty());
        assertTrue(Files.exists(stateDir.resolve("kubespan-identity.yaml")));

        setConfig(config(true, CLUSTER_1));
        assertTrue("identity again", identity().isPresent());
        assertEquals(id.privateKey(), identity().get().spec().privateKey());
        assertEquals(id.address(), identity().get().spec().address());
        assertFalse(all().contains(id.privateKey().toBase64()));
    }

    @Test
    public void absentConfigMeansNoIdentity() throws Exception {
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("identity", identity().isPresent());
        h.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        h.settle();
        assertTrue("identity removed", identity().isEmpty());
    }

    @Test
    public void clusterIdChangeWhileEnabledRecomputes() throws Exception {
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("identity", identity().isPresent());
        Key key = identity().get().spec().publicKey();
        setConfig(config(true, CLUSTER_2));
        assertEquals("new subnet", "fd62:679f:48cb:8002::/64", identity().get().spec().subnet().toString());
        assertEquals("fd62:679f:48cb:8002:e871:1bff:feb2:ccee/128", identity().get().spec().address().toString());
        assertEquals(key, identity().get().spec().publicKey());
        assertEquals(2, identity().get().version());
    }

    @Test
    public void macChangeWhileEnabledDoesNotMoveTheAddress() throws Exception {
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address().toString());
        long passes = controller.passes();
        setLinks(MacSelectorTest.link("aaa0", "", 1, "52:54:00:00:00:01"), ETH0);
        assertEquals("a link change runs a pass", passes + 1, controller.passes());
        KubeSpanConfig k = config(true, CLUSTER_1);
        setConfig(KubeSpanConfig.builder().enabled(true).clusterId(CLUSTER_1).sharedSecret(k.sharedSecret())
                .forceRouting(k.forceRouting()).mtu(1400).endpointFilters(k.endpointFilters())
                .extraEndpoints(k.extraEndpoints()).excludeAdvertisedNetworks(k.excludeAdvertisedNetworks())
                .peerEndpointFilters(k.peerEndpointFilters()).build());
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address().toString());
        assertEquals(1, identity().get().version());
        // a disable/enable cycle is what picks up the new first link, as on Talos
        setConfig(config(false, CLUSTER_1));
        setConfig(config(true, CLUSTER_1));
        assertEquals("fd7f:175a:b97c:5602:5054:ff:fe00:1/128", identity().get().spec().address().toString());
    }

    @Test
    public void waitsForALinkThenPublishes() throws Exception {
        setLinks(LO);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("warning", logged("WARN cannot choose a link for the KubeSpan address"));
        assertTrue(identity().isEmpty());
        setLinks(LO, MacSelectorTest.link("veth0", "veth", 1, "02:00:5e:00:53:01"));
        assertTrue("identity", identity().isPresent());
        assertEquals("fd7f:175a:b97c:5602:0:5eff:fe00:5301/128", identity().get().spec().address().toString());
        assertTrue(all(), logged("INFO Published KubeSpan identity fd7f:175a:b97c:5602:0:5eff:fe00:5301/128"));
        assertTrue(all(), all().contains("no physical Ethernet link; the first Ethernet-type link (kind veth) veth0"));
        assertEquals(1, count("WARN cannot choose"));
    }

    @Test
    public void configuredInterfaceIsUsed() throws Exception {
        setLinks(ETH0, MacSelectorTest.link("eth1", "", 1, "00:00:5e:00:53:01"));
        start("eth1");
        setConfig(config(true, CLUSTER_2));
        assertTrue("identity", identity().isPresent());
        assertEquals("fd62:679f:48cb:8002:200:5eff:fe00:5301/128", identity().get().spec().address().toString());
    }

    @Test
    public void corruptFileIsAnErrorAndNothingIsPublishedOrOverwritten() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "privateKey: ???\n");
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("error", logged("ERROR " + file + ": corrupt"));
        assertTrue(identity().isEmpty());
        assertEquals("privateKey: ???\n", Files.readString(file));
    }

    @Test
    public void aPersistingProblemIsLoggedOnce() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "privateKey: ???\n");
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        h.pass(controller);
        h.pass(controller);
        assertEquals(all(), 1, count("ERROR " + file));
        h.advance(KubeSpanIdentityController.FILE_RETRY.multipliedBy(3));
        assertEquals("retried every " + KubeSpanIdentityController.FILE_RETRY + ", still reported once", 1,
                count("ERROR " + file));
        assertTrue(identity().isEmpty());
        Files.delete(file); // the operator removes it: a new key is generated on the next wake
        h.advance(KubeSpanIdentityController.FILE_RETRY);
        assertTrue(identity().isPresent());
    }

    @Test
    public void allZeroFileIsAnError() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("kubespan-identity.yaml");
        Files.writeString(file, "address: \"\"\nsubnet: \"\"\nprivateKey: \"\"\npublicKey: \"\"\n");
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("error", logged("ERROR " + file + ": holds an all-zero (empty) identity"));
        assertTrue(identity().isEmpty());
    }

    @Test
    public void aRestartedControllerAdoptsTheResourceEvenIfTheMacChanged() throws Exception {
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("identity", identity().isPresent());
        Resource<KubeSpanIdentity> before = identity().get();
        controller.close();

        setLinks(MacSelectorTest.link("aaa0", "", 1, "52:54:00:00:00:01"), ETH0);
        h.log.clear();
        start("");
        assertTrue("adopted", logged("INFO Adopted the existing KubeSpan identity"));
        assertEquals(before, identity().get());
    }

    @Test
    public void aRestartedControllerReplacesAResourceWithOtherKeys() throws Exception {
        setLinks(ETH0);
        Key stray = Key.generatePrivateKey();
        // Left by a writer that is gone (it holds no claim any more).
        h.store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID,
                new KubeSpanIdentity(IpPrefix.parse("fd7f:175a:b97c:5602::1/128"), IpPrefix.parse("fd7f:175a:b97c:5602::/64"),
                        stray, stray.publicKey()), "old");
        setConfig(config(true, CLUSTER_1));
        start("");
        assertFalse("replaced", identity().get().spec().privateKey().equals(stray));
        assertEquals(KubeSpanIdentityController.NAME, identity().get().metadata().owner());
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", identity().get().spec().address().toString());
    }

    @Test
    public void closeRemovesTheLinkListenerAndKeepsTheResource() throws Exception {
        setLinks(ETH0);
        start("");
        setConfig(config(true, CLUSTER_1));
        assertTrue("identity", identity().isPresent());
        assertEquals(1, net.listenerCount());
        controller.close();
        assertEquals(0, net.listenerCount());
        assertTrue(identity().isPresent());
        h.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, config(false, CLUSTER_1));
        h.advance(Duration.ofMinutes(5));
        assertTrue("a stopped controller runs no pass", identity().isPresent());
    }

    @Test
    public void nodeIdentityIsPublishedWithoutKubeSpan() throws Exception {
        RunningController node = h.start(new NodeIdentityController(stateDir));
        try {
            assertTrue("node identity", h.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isPresent());
        } finally {
            node.close();
        }
        String id = h.spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).get().nodeId();
        assertEquals(43, id.length());
        assertEquals("nodeId: " + id + "\n", Files.readString(stateDir.resolve("node-identity.yaml")));
        assertNotEquals(-1, all().indexOf(id));
        assertEquals(NodeIdentityController.NAME,
                h.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).get().metadata().owner());
        assertTrue(identity().isEmpty());
    }

    @Test
    public void corruptNodeIdFileIsAnError() throws Exception {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("node-identity.yaml");
        Files.writeString(file, "nodeId: [1, 2]\n");
        h.start(new NodeIdentityController(stateDir));
        assertEquals(all(), 1, errors().stream().filter(l -> l.contains(file + ": corrupt")).count());
        assertTrue(h.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isEmpty());
        assertEquals("not replaced", "nodeId: [1, 2]\n", Files.readString(file));

        h.advance(ControllerRuntime.RETRY_MAX.multipliedBy(3));
        assertEquals("retried with backoff, reported once", 1,
                errors().stream().filter(l -> l.contains(file + ": corrupt")).count());
        assertTrue(h.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isEmpty());
        Files.delete(file); // the operator removes it: the next retry creates a new ID
        h.advance(ControllerRuntime.RETRY_MAX);
        assertTrue(h.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).isPresent());
    }
}
