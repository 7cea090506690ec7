package dev.kubespan.wireguard.internal.uapi;

import static dev.kubespan.wireguard.internal.uapi.Fixtures.uapi;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.wireguard.internal.DeviceSnapshot;

public class UapiRepliesTest {
    // wg pubkey of the lab devices the fixtures were recorded from
    private static final Key WGFX1 = Key.fromBase64("d9bPGH001nIvQ4CcGZRm0ArphANNlKCTPpY0KmLROmg=");
    private static final Key WGFX2 = Key.fromBase64("vygDSqRKaXaxBHtQywm+3dcMLjvSxEV3jVY4R8E+fHw=");
    private static final Key ABSENT = Key.fromBase64("ST3dbnofZRiDCc7UxOWwQLQjpAgX+yQhHTRg8KuUHzA=");

    @Test
    public void parsesTwoPeerDeviceRecordedFromWireguardGo() {
        DeviceSnapshot s = UapiReplies.parseGet("wgfx1", uapi("device-two-peers.txt"));
        DeviceState d = s.state();
        assertEquals("wgfx1", d.link());
        assertEquals("public key derived from the private key matches wg pubkey", WGFX1, d.publicKey());
        assertEquals(51821, d.listenPort());
        assertEquals(32, d.fwmark());
        assertEquals(2, d.peers().size());
        Map<Key, DevicePeer> peers = d.peers().stream().collect(Collectors.toMap(DevicePeer::publicKey, p -> p));

        DevicePeer p2 = peers.get(WGFX2);
        assertTrue(p2.hasPresharedKey());
        assertEquals(Endpoint.parse("[fd7a:6b5c:9e00::2]:51821"), p2.endpoint());
        assertEquals(Instant.ofEpochSecond(1795685846L, 20210460L), p2.lastHandshake());
        assertEquals(900, p2.receiveBytes());
        assertEquals(992, p2.transmitBytes());
        assertEquals(Duration.ofSeconds(25), p2.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse("fd7a:6b5c:9e01::2/128"), IpPrefix.parse("10.99.0.2/32")), p2.allowedIPs());

        DevicePeer p3 = peers.get(ABSENT);
        assertFalse("all-zero preshared key means none", p3.hasPresharedKey());
        assertEquals(Endpoint.parse("10.98.0.3:51820"), p3.endpoint());
        assertNull("0/0 means never", p3.lastHandshake());
        assertEquals(0, p3.receiveBytes());
        assertEquals(296, p3.transmitBytes());
        assertEquals(Duration.ZERO, p3.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse("fd7a:6b5c:9e01::3/128")), p3.allowedIPs());

        assertEquals(Map.of(WGFX2, Key.fromHex("2a0fc7920a23be26bc43a5c241bd9b96efbb1940906a0a7793e4d6ab1cc03f1f")),
                s.presharedKeys());
        assertEquals(WGFX1, s.privateKey().publicKey());
    }

    @Test
    public void parsesPeerWithIpv6EndpointAndNoFwmark() {
        DeviceState d = UapiReplies.parseGet("wgfx2", uapi("device-one-peer-v6.txt")).state();
        assertEquals(WGFX2, d.publicKey());
        assertEquals(51821, d.listenPort());
        assertEquals(0, d.fwmark());
        DevicePeer p = d.peers().get(0);
        assertEquals(WGFX1, p.publicKey());
        assertEquals(Endpoint.parse("[fd7a:6b5c:9e00::1]:51820"), p.endpoint());
        assertEquals(556, p.receiveBytes());
        assertEquals(612, p.transmitBytes());
    }

    @Test
    public void freshDeviceHasNoKeyAndNoPeers() {
        DeviceSnapshot s = UapiReplies.parseGet("wgfx1", uapi("device-fresh.txt"));
        assertNull(s.state().publicKey());
        assertNull(s.privateKey());
        assertEquals(35319, s.state().listenPort());
        assertTrue(s.state().peers().isEmpty());
        assertNull("nothing to recreate without a key", s.toConfig());
    }

    @Test
    public void failedSetLeftDeviceWithoutListenPort() {
        assertEquals(0, UapiReplies.parseGet("wgfx1", uapi("device-after-eaddrinuse.txt")).state().listenPort());
    }

    @Test
    public void snapshotRecreatesItsConfig() {
        DeviceSnapshot s = UapiReplies.parseGet("wgfx1", uapi("device-two-peers.txt"));
        var config = s.toConfig();
        assertEquals(51821, config.listenPort());
        assertEquals(32, config.fwmark());
        assertEquals(2, config.peers().size());
        var p2 = config.peers().stream().filter(p -> p.publicKey().equals(WGFX2)).findFirst().orElseThrow();
        assertEquals(s.presharedKeys().get(WGFX2), p2.presharedKey());
        assertEquals(Endpoint.parse("[fd7a:6b5c:9e00::2]:51821"), p2.endpoint());
    }

    @Test
    public void setReplies() {
        UapiReplies.checkSet("wgfx1", uapi("set-ok.txt"));
        assertEquals(22, assertThrows(WireGuardException.class,
                () -> UapiReplies.checkSet("wgfx1", uapi("set-einval.txt"))).errno());
        assertEquals(71, assertThrows(WireGuardException.class,
                () -> UapiReplies.checkSet("wgfx1", uapi("set-eproto.txt"))).errno());
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> UapiReplies.checkSet("wgfx1", uapi("set-eaddrinuse.txt")));
        assertEquals(98, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("EADDRINUSE") && e.getMessage().contains("wgfx1"));
    }

    @Test
    public void errnoOnGetIsAnError() {
        assertEquals(22, assertThrows(WireGuardException.class, () -> UapiReplies.parseGet("wg0", "errno=-22\n\n"))
                .errno());
        assertEquals("either sign", 5,
                assertThrows(WireGuardException.class, () -> UapiReplies.parseGet("wg0", "errno=5\n\n")).errno());
    }

    @Test
    public void malformedRepliesNameTheProblem() {
        assertMalformed("", "empty reply");
        assertMalformed("\n", "empty reply");
        assertMalformed("listen_port=1\nerrno=0\n", "does not end with a blank line");
        assertMalformed("listen_port=1\n\n", "does not end with an errno line");
        assertMalformed("listen_port=1\n\nerrno=0\n\n", "line 2: blank line");
        assertMalformed("listen_port\nerrno=0\n\n", "line 1: no 'key=value'");
        assertMalformed("listen_port=70000\nerrno=0\n\n", "line 1: listen_port 70000 is out of range");
        assertMalformed("listen_port=-1\nerrno=0\n\n", "listen_port '-1' is not a non-negative number");
        assertMalformed("errno=zero\n\n", "errno 'zero' is not a number");
        assertMalformed("public_key=" + WGFX1.toHex() + "\ntx_bytes=x\nerrno=0\n\n", "line 2: tx_bytes 'x'");
        assertMalformed("public_key=" + WGFX1.toHex() + "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n", "line 2:");
        assertMalformed("public_key=" + WGFX1.toHex() + "\nendpoint=host:1\nerrno=0\n\n", "line 2:");
        assertMalformed("public_key=" + WGFX1.toHex() + "\nprotocol_version=2\nerrno=0\n\n", "protocol_version 2");
        assertMalformed("public_key=" + WGFX1.toHex() + "\nlisten_port=1\nerrno=0\n\n", "after a peer section");
        assertMalformed("public_key=" + WGFX1.toHex() + "\npublic_key=" + WGFX1.toHex() + "\nerrno=0\n\n",
                "appears twice");
        assertMalformed("public_key=zz\nerrno=0\n\n", "line 1: public_key");
    }

    @Test
    public void malformedPrivateKeyIsNotEchoed() {
        String secret = "78400e81ffe49ef3202e00270be179a065bd5a7167286c18d047c761351c42zz";
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> UapiReplies.parseGet("wg0", "private_key=" + secret + "\nerrno=0\n\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("private_key"));
        assertFalse(e.getMessage(), e.getMessage().contains("78400e81"));
    }

    @Test
    public void unknownKeysFromNewerDaemonsAreIgnored() {
        DeviceState d = UapiReplies.parseGet("wg0", "listen_port=5\nfuture_device_key=1\npublic_key=" + WGFX1.toHex()
                + "\nfuture_peer_key=x\nerrno=0\n\n").state();
        assertEquals(5, d.listenPort());
        assertEquals(1, d.peers().size());
    }

    @Test
    public void setReplyWithExtraLinesIsMalformed() {
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> UapiReplies.checkSet("wg0", "listen_port=1\nerrno=0\n\n"));
        assertEquals(0, e.errno());
    }

    private static void assertMalformed(String reply, String expected) {
        WireGuardException e = assertThrows(WireGuardException.class, () -> UapiReplies.parseGet("wg0", reply));
        assertTrue("'" + e.getMessage() + "' should contain '" + expected + "'", e.getMessage().contains(expected));
        assertTrue(e.getMessage(), e.getMessage().contains("wg0"));
        assertEquals(0, e.errno());
    }
}
