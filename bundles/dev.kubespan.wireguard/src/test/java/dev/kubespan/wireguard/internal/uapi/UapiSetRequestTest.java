package dev.kubespan.wireguard.internal.uapi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.PeerChange;

public class UapiSetRequestTest {
    private static final Key PRIV = Key.generatePrivateKey();
    private static final Key A = Key.fromBase64("d9bPGH001nIvQ4CcGZRm0ArphANNlKCTPpY0KmLROmg=");
    private static final Key B = Key.fromBase64("vygDSqRKaXaxBHtQywm+3dcMLjvSxEV3jVY4R8E+fHw=");
    private static final Key C = Key.fromBase64("ST3dbnofZRiDCc7UxOWwQLQjpAgX+yQhHTRg8KuUHzA=");
    private static final Key PSK = Key.fromHex("2A0FC7920A23BE26BC43A5C241BD9B96EFBB1940906A0A7793E4D6AB1CC03F1F");

    @Test
    public void rendersDeviceKeysThenPeerSections() {
        DeviceChange change = new DeviceChange(PRIV, 51820, 0x20, List.of(
                PeerChange.remove(C),
                new PeerChange(PeerChange.Kind.ADD, A, PSK, Endpoint.parse("[fd7a::1]:51820"), Duration.ofSeconds(25),
                        List.of(IpPrefix.parse("fd7a:6b5c:9e01::1/128"), IpPrefix.parse("10.99.0.7/24"))),
                new PeerChange(PeerChange.Kind.UPDATE, B, null, Endpoint.parse("192.0.2.1:1"), Duration.ZERO, null)));
        assertEquals("set=1\n"
                + "private_key=" + PRIV.toHex() + "\n"
                + "listen_port=51820\n"
                + "fwmark=32\n"
                + "public_key=" + C.toHex() + "\n"
                + "remove=true\n"
                + "public_key=" + A.toHex() + "\n"
                + "preshared_key=2a0fc7920a23be26bc43a5c241bd9b96efbb1940906a0a7793e4d6ab1cc03f1f\n"
                + "endpoint=[fd7a::1]:51820\n"
                + "persistent_keepalive_interval=25\n"
                + "replace_allowed_ips=true\n"
                + "allowed_ip=fd7a:6b5c:9e01::1/128\n"
                + "allowed_ip=10.99.0.0/24\n"
                + "public_key=" + B.toHex() + "\n"
                + "endpoint=192.0.2.1:1\n"
                + "persistent_keepalive_interval=0\n"
                + "\n", UapiSetRequest.render(change));
    }

    @Test
    public void hexIsLowerCase() {
        String text = UapiSetRequest.render(DeviceChange.ofPeers(List.of(PeerChange.remove(A))));
        assertEquals(text.toLowerCase(), text);
    }

    @Test
    public void endpointOnlyUpdateSendsOnlyTheEndpoint() {
        String text = UapiSetRequest.render(DeviceChange.ofPeers(List.of(new PeerChange(PeerChange.Kind.UPDATE, A, null,
                Endpoint.parse("[2001:db8::5]:4000"), null, null))));
        assertEquals("set=1\npublic_key=" + A.toHex() + "\nendpoint=[2001:db8::5]:4000\n\n", text);
    }

    @Test
    public void newPeerWithoutKeepaliveOmitsIt() {
        String text = UapiSetRequest.render(DeviceChange.ofPeers(List.of(new PeerChange(PeerChange.Kind.ADD, A, null,
                null, Duration.ZERO, List.of()))));
        assertEquals("set=1\npublic_key=" + A.toHex() + "\nreplace_allowed_ips=true\n\n", text);
    }

    @Test
    public void clearingAllowedIpsAndPresharedKey() {
        String zero = "0".repeat(64);
        String text = UapiSetRequest.render(DeviceChange.ofPeers(List.of(new PeerChange(PeerChange.Kind.UPDATE, A,
                Key.fromHex(zero), null, null, List.of()))));
        assertEquals("set=1\npublic_key=" + A.toHex() + "\npreshared_key=" + zero + "\nreplace_allowed_ips=true\n\n",
                text);
    }

    @Test
    public void fwmarkIsUnsignedAndZeroClears() {
        assertEquals("set=1\nfwmark=4294967295\n\n", UapiSetRequest.render(new DeviceChange(null, null, -1, null)));
        assertEquals("set=1\nfwmark=0\n\n", UapiSetRequest.render(new DeviceChange(null, null, 0, null)));
    }

    @Test
    public void listenPortOutOfRangeIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> UapiSetRequest.render(new DeviceChange(null, 70000, null, null)));
    }
}
