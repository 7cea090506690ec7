package dev.kubespan.wireguard.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.test.ControllerHarness;

public class WireGuardServiceTest {
    private static final Key PRIV = Key.generatePrivateKey();
    private static final Key A = Key.generatePrivateKey().publicKey();
    private static final Key B = Key.generatePrivateKey().publicKey();
    private static final Endpoint E1 = Endpoint.parse("192.0.2.1:51820");
    private static final Endpoint E2 = Endpoint.parse("192.0.2.2:51820");
    private static final Duration KA = Duration.ofSeconds(25);

    private final ControllerHarness h = new ControllerHarness();
    private FakeBackend backend;
    private WireGuardService service;
    /** The status controller; started only by tests that want it, so read counts are exact elsewhere. */
    private RunningController status;

    @Before
    public void setUp() {
        backend = new FakeBackend();
        service = new WireGuardService(backend, "auto: test", h.log);
    }

    private void startStatus() {
        status = h.start(new LinkStatusController(service, Duration.ofHours(1)));
        service.onChange(status::trigger);
    }

    @After
    public void tearDown() {
        h.close(); // stops the status controller first, as the component's deactivation does
        service.close(true);
    }

    private static DeviceConfig config(PeerConfig... peers) {
        return new DeviceConfig(PRIV, 51820, 0x20, List.of(peers));
    }

    private static PeerConfig peer(Key k, Endpoint e, String ip) {
        return new PeerConfig(k, null, e, KA, List.of(IpPrefix.parse(ip)));
    }

    @Test
    public void applyingTheSameConfigTwiceSendsNothingTheSecondTime() {
        service.ensureLink("ks0", 1420);
        service.apply("ks0", config(peer(A, E1, "fd00::1/128")));
        assertEquals(1, backend.sets.size());
        service.apply("ks0", config(peer(A, E1, "fd00::1/128")));
        assertEquals(1, backend.sets.size());
        service.apply("ks0", config(peer(A, null, "fd00::1/128")));
        assertEquals("a null endpoint keeps the device's", 1, backend.sets.size());
    }

    @Test
    public void applyWithoutLinkIsEnodev() {
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> service.apply("ks0", config(peer(A, E1, "fd00::1/128"))));
        assertEquals(19, e.errno());
    }

    @Test
    public void failedSetIsFollowedByAReadAndRethrown() {
        service.ensureLink("ks0", 1420);
        backend.failNextSet = new WireGuardException("UAPI set on ks0 failed: EADDRINUSE", 98);
        int readsBefore = backend.reads;
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> service.apply("ks0", config(peer(A, E1, "fd00::1/128"))));
        assertEquals(98, e.errno());
        assertEquals("one read for the diff, one after the failure", readsBefore + 2, backend.reads);
        // The partly applied device is the new base: the next apply sends only what is still missing.
        service.apply("ks0", config(peer(A, E1, "fd00::1/128")));
        DeviceChange retry = backend.sets.get(backend.sets.size() - 1);
        assertEquals(null, retry.privateKey());
        assertEquals(1, retry.peers().size());
    }

    @Test
    public void recreatedDeviceGetsDesiredConfigWithNewestEndpoints() {
        service.ensureLink("ks0", 1420);
        service.apply("ks0", config(peer(A, null, "fd00::1/128"), peer(B, E1, "fd00::2/128")));
        backend.roam("ks0", B, E2);
        service.read("ks0");
        backend.recreate("ks0");
        var state = service.read("ks0").orElseThrow();
        assertEquals(PRIV.publicKey(), state.publicKey());
        assertEquals(2, state.peers().size());
        assertEquals("the endpoint it roamed to, not the one first applied", E2,
                state.peers().stream().filter(p -> p.publicKey().equals(B)).findFirst().orElseThrow().endpoint());
    }

    @Test
    public void recreatedAdoptedDeviceGetsWhatItHadWhenLastRead() {
        service.ensureLink("ks0", 1420);
        // as if adopted: configured by an earlier instance, never applied through this one
        FakeBackend.Device d = backend.devices.get("ks0");
        d.privateKey = PRIV;
        d.port = 51820;
        d.peers.put(A, new dev.kubespan.api.wireguard.DevicePeer(A, false, E1, null, 0, 0, KA,
                List.of(IpPrefix.parse("fd00::1/128"))));
        service.read("ks0");
        backend.recreate("ks0");
        var state = service.read("ks0").orElseThrow();
        assertEquals(1, state.peers().size());
        assertEquals(E1, state.peers().get(0).endpoint());
        assertEquals(51820, state.listenPort());
    }

    @Test
    public void publishesLinkStatusAndDeletesItWithTheLink() {
        service.ensureLink("ks0", 1380);
        service.apply("ks0", config(peer(A, E1, "fd00::1/128")));
        startStatus();
        LinkStatus s = h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks0").orElseThrow().spec();
        assertEquals(Backend.USERSPACE, s.backend());
        assertTrue(s.present());
        assertTrue(s.up());
        assertEquals(1380, s.mtu());
        assertEquals(51820, s.listenPort());
        assertEquals(1, s.peers());
        assertEquals(4242, s.pid());
        assertTrue(s.detail(), s.detail().contains("auto: test"));
        long version = h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks0").orElseThrow().version();
        h.pass(status);
        assertEquals("unchanged status is not a new version", version,
                h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks0").orElseThrow().version());

        service.deleteLink("ks0");
        h.settle();
        assertFalse(h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks0").isPresent());
    }

    @Test
    public void closingWithoutKeepingLinksLeavesAStatusThatSaysSo() {
        service.ensureLink("ks0", 1420);
        startStatus();
        status.close();
        Set<String> stopped = service.close(false);
        assertEquals(Set.of("ks0"), stopped);
        LinkStatusController.markStopped(h.store, stopped, service.stoppedStatus());
        LinkStatus s = h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "ks0").orElseThrow().spec();
        assertFalse(s.present());
        assertTrue(backend.devices.isEmpty());
    }

    @Test
    public void closingKeepsLinksByDefault() {
        service.ensureLink("ks0", 1420);
        service.close(true);
        assertTrue(backend.devices.containsKey("ks0"));
        assertThrows(WireGuardException.class, () -> service.read("ks0"));
    }

    @Test
    public void startAdoptsAndDropsOnlyOwnStaleStatus() {
        backend.devices.put("adopted0", new FakeBackend.Device());
        h.store.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "gone0",
                new LinkStatus(Backend.USERSPACE, true, true, 1420, 1, 0, 1, ""), LinkStatusController.NAME);
        h.store.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "foreign0",
                new LinkStatus(Backend.USERSPACE, true, true, 1420, 1, 0, 1, ""), "someone.else");
        startStatus();
        assertTrue(h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "adopted0").isPresent());
        assertFalse(h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "gone0").isPresent());
        assertTrue(h.store.get(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "foreign0").isPresent());
    }

    @Test
    public void badArgumentsAreRejectedClearly() {
        assertThrows(IllegalArgumentException.class, () -> service.ensureLink("../etc", 1420));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> service.ensureLink("ks0", 100));
        assertTrue(e.getMessage(), e.getMessage().contains("MTU 100"));
    }

    @Test
    public void backendKindIsReported() {
        assertSame(dev.kubespan.api.wireguard.Backend.USERSPACE, service.backend());
    }
}
