package dev.kubespan.wireguard.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;

public class DeviceDiffTest {
    private static final Key PRIV = Key.generatePrivateKey();
    private static final Key PUB = PRIV.publicKey();
    private static final Key A = Key.generatePrivateKey().publicKey();
    private static final Key B = Key.generatePrivateKey().publicKey();
    private static final Key C = Key.generatePrivateKey().publicKey();
    private static final Key PSK = Key.generatePresharedKey();
    private static final Duration KA = Duration.ofSeconds(25);
    private static final Endpoint E1 = Endpoint.parse("192.0.2.1:51820");
    private static final Endpoint E2 = Endpoint.parse("[2001:db8::2]:51820");

    private static List<IpPrefix> ips(String... p) {
        List<IpPrefix> out = new ArrayList<>();
        for (String s : p) {
            out.add(IpPrefix.parse(s));
        }
        return out;
    }

    private static DevicePeer have(Key k, Endpoint e, Duration ka, String... allowed) {
        return new DevicePeer(k, false, e, Instant.ofEpochSecond(1), 10, 20, ka, ips(allowed));
    }

    private static DeviceSnapshot current(int port, int fwmark, DevicePeer... peers) {
        return new DeviceSnapshot(new DeviceState("wg0", PUB, port, fwmark, List.of(peers)), PRIV, Map.of());
    }

    private static DeviceConfig want(int port, int fwmark, PeerConfig... peers) {
        return new DeviceConfig(PRIV, port, fwmark, List.of(peers));
    }

    private static PeerConfig peer(Key k, Endpoint e, String... allowed) {
        return new PeerConfig(k, null, e, KA, ips(allowed));
    }

    @Test
    public void identicalDeviceNeedsNothing() {
        DeviceChange c = DeviceDiff.compute(want(51820, 32, peer(A, E1, "fd00::1/128", "10.0.0.1/32")),
                current(51820, 32, have(A, E1, KA, "10.0.0.1/32", "fd00::1/128")));
        assertTrue(c.summary(), c.isEmpty());
    }

    @Test
    public void freshDeviceGetsEverything() {
        DeviceSnapshot fresh = new DeviceSnapshot(new DeviceState("wg0", null, 40000, 0, List.of()), null, Map.of());
        DeviceChange c = DeviceDiff.compute(
                want(51820, 32, new PeerConfig(A, PSK, E1, KA, ips("fd00::1/128"))), fresh);
        assertEquals(PRIV, c.privateKey());
        assertEquals(Integer.valueOf(51820), c.listenPort());
        assertEquals(Integer.valueOf(32), c.fwmark());
        assertEquals(List.of(new PeerChange(PeerChange.Kind.ADD, A, PSK, E1, KA, ips("fd00::1/128"))), c.peers());
    }

    @Test
    public void unchangedPeersAreNotMentioned() {
        DeviceChange c = DeviceDiff.compute(
                want(51820, 0, peer(A, E1, "fd00::1/128"), peer(B, E2, "fd00::2/128"), peer(C, null, "fd00::3/128")),
                current(51820, 0, have(A, E1, KA, "fd00::1/128"), have(B, E2, KA, "fd00::2/128")));
        assertEquals(List.of(new PeerChange(PeerChange.Kind.ADD, C, null, null, KA, ips("fd00::3/128"))), c.peers());
        assertNull(c.privateKey());
        assertNull(c.listenPort());
        assertNull(c.fwmark());
    }

    @Test
    public void peersNotDesiredAreRemoved() {
        DeviceChange c = DeviceDiff.compute(want(51820, 0, peer(A, E1, "fd00::1/128")),
                current(51820, 0, have(A, E1, KA, "fd00::1/128"), have(B, E2, KA, "fd00::2/128")));
        assertEquals(List.of(PeerChange.remove(B)), c.peers());
    }

    @Test
    public void nullEndpointKeepsTheDevicesEndpoint() {
        DeviceChange c = DeviceDiff.compute(want(51820, 0, peer(A, null, "fd00::1/128")),
                current(51820, 0, have(A, E2, KA, "fd00::1/128")));
        assertTrue(c.summary(), c.isEmpty());
    }

    @Test
    public void onlyChangedFieldsOfAPeerAreSent() {
        DeviceChange c = DeviceDiff.compute(want(51820, 0, peer(A, E2, "fd00::1/128")),
                current(51820, 0, have(A, E1, KA, "fd00::1/128")));
        assertEquals(List.of(new PeerChange(PeerChange.Kind.UPDATE, A, null, E2, null, null)), c.peers());

        c = DeviceDiff.compute(want(51820, 0, peer(A, E1, "fd00::1/128", "10.0.0.0/8")),
                current(51820, 0, have(A, E1, KA, "fd00::1/128")));
        assertEquals(List.of(new PeerChange(PeerChange.Kind.UPDATE, A, null, null, null,
                ips("fd00::1/128", "10.0.0.0/8"))), c.peers());

        c = DeviceDiff.compute(want(51820, 0, peer(A, E1, "fd00::1/128")),
                current(51820, 0, have(A, E1, Duration.ZERO, "fd00::1/128")));
        assertEquals(List.of(new PeerChange(PeerChange.Kind.UPDATE, A, null, null, KA, null)), c.peers());
    }

    @Test
    public void allowedIpsCompareAsMaskedSets() {
        DeviceChange c = DeviceDiff.compute(want(51820, 0, peer(A, E1, "10.0.0.7/24", "fd00::1/128", "10.0.0.0/24")),
                current(51820, 0, have(A, E1, KA, "fd00::1/128", "10.0.0.0/24")));
        assertTrue(c.summary(), c.isEmpty());
    }

    @Test
    public void presharedKeyChangesAreDetected() {
        Key other = Key.generatePresharedKey();
        DeviceSnapshot withPsk = new DeviceSnapshot(new DeviceState("wg0", PUB, 51820, 0,
                List.of(new DevicePeer(A, true, E1, null, 0, 0, KA, ips("fd00::1/128")))), PRIV, Map.of(A, PSK));

        assertTrue(DeviceDiff.compute(want(51820, 0, new PeerConfig(A, PSK, E1, KA, ips("fd00::1/128"))), withPsk)
                .isEmpty());
        assertEquals(List.of(new PeerChange(PeerChange.Kind.UPDATE, A, other, null, null, null)),
                DeviceDiff.compute(want(51820, 0, new PeerConfig(A, other, E1, KA, ips("fd00::1/128"))), withPsk)
                        .peers());
        Key zero = Key.fromBytes(new byte[32]);
        assertEquals("no key wanted: clear it with zeros",
                List.of(new PeerChange(PeerChange.Kind.UPDATE, A, zero, null, null, null)),
                DeviceDiff.compute(want(51820, 0, peer(A, E1, "fd00::1/128")), withPsk).peers());
    }

    @Test
    public void deviceFieldsOnlyWhenDifferent() {
        Key newPriv = Key.generatePrivateKey();
        DeviceChange c = DeviceDiff.compute(new DeviceConfig(newPriv, 51821, 0, List.of()), current(51820, 32));
        assertEquals(newPriv, c.privateKey());
        assertEquals(Integer.valueOf(51821), c.listenPort());
        assertEquals("fwmark 0 clears", Integer.valueOf(0), c.fwmark());
        assertTrue(c.peers().isEmpty());
    }

    @Test
    public void listenPortZeroLeavesThePortToTheDevice() {
        assertTrue(DeviceDiff.compute(want(0, 0), current(43372, 0)).isEmpty());
    }

    @Test
    public void ownKeyIsNeverAPeer() {
        assertTrue(DeviceDiff.compute(want(51820, 0, peer(PUB, E1, "fd00::9/128")), current(51820, 0)).isEmpty());
    }

    @Test
    public void duplicatePeerIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceDiff.compute(want(51820, 0, peer(A, E1), peer(A, E2)), current(51820, 0)));
        assertTrue(e.getMessage(), e.getMessage().contains(A.toBase64()));
    }

    @Test
    public void keepaliveOutOfRangeIsAnError() {
        PeerConfig p = new PeerConfig(A, null, E1, Duration.ofSeconds(70000), List.of());
        assertThrows(IllegalArgumentException.class, () -> DeviceDiff.compute(want(51820, 0, p), current(51820, 0)));
    }

    @Test
    public void removalsComeFirstAndDesiredOrderIsKept() {
        DeviceChange c = DeviceDiff.compute(want(51820, 0, peer(C, E1, "fd00::3/128"), peer(A, E1, "fd00::1/128")),
                current(51820, 0, have(B, E1, KA, "fd00::2/128")));
        assertEquals(List.of(PeerChange.Kind.REMOVE, PeerChange.Kind.ADD, PeerChange.Kind.ADD),
                c.peers().stream().map(PeerChange::kind).toList());
        assertEquals(List.of(B, C, A), c.peers().stream().map(PeerChange::publicKey).toList());
    }
}
