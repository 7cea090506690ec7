package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.test.Specs;

public class PayloadCodecTest {
    private final List<String> problems = new ArrayList<>();

    @Test
    public void endpointProtobufIsByteExactWithTheWorkedExample() throws Exception {
        byte[] proto = PayloadCodec.encodeEndpoint(Endpoint.parse("10.0.0.2:51820"));
        assertEquals("0a040a00000210ec9403", HexFormat.of().formatHex(proto));
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        SealedPayloads p = new SealedPayloads(new ClusterCipher(key, new SecureRandom()));
        byte[] blob = p.sealEndpoint(Endpoint.parse("10.0.0.2:51820"));
        assertEquals("45c55198f8ad5b07dd423e192f7e13e8", HexFormat.of().formatHex(blob));
        assertEquals("10.0.0.2:51820", p.openEndpoint(blob).toString());
    }

    @Test
    public void ipv6EndpointIsTwoBlocks() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        byte[] blob = p.sealEndpoint(Endpoint.parse("[2001:db8::1]:51820"));
        assertEquals(32, blob.length);
        assertEquals("[2001:db8::1]:51820", p.openEndpoint(blob).toString());
    }

    @Test
    public void localAffiliateRoundTripsThroughTheEncryptedPayload() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        Affiliate local = Fixtures.affiliate("nodeA", "10");
        byte[] data = p.sealAffiliate(local, problems::add);
        List<byte[]> blobs = new ArrayList<>();
        for (Endpoint e : local.kubespan().endpoints()) {
            blobs.add(p.sealEndpoint(e));
        }
        Affiliate back = p.open("nodeA", data, blobs, problems::add);
        assertEquals(local, back);
        assertTrue(problems.toString(), problems.isEmpty());
    }

    @Test
    public void minimalAffiliateWithoutKubeSpanRoundTrips() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        Affiliate a = new Affiliate("n1", List.of("10.0.0.1"), "", "", "", "worker", null, null);
        Affiliate back = p.open("n1", p.sealAffiliate(a, problems::add), List.of(), problems::add);
        assertEquals(a, back);
        assertNull(back.kubespan());
        assertNull(back.controlPlane());
    }

    @Test
    public void excludeAdvertisedNetworksIsNotSentWhileItsFieldNumberIsUnknown() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        Affiliate a = Fixtures.affiliate("n1", "3");
        AffiliateKubeSpan ks = a.kubespan();
        Affiliate withExclude = new Affiliate(a.nodeId(), a.addresses(), a.hostname(), a.nodename(),
                a.operatingSystem(), a.machineType(), new AffiliateKubeSpan(ks.publicKey(), ks.address(),
                        ks.additionalAddresses(), List.of(), Specs.prefixes(List.of("10.0.0.0/8"))),
                a.controlPlane());
        var proto = PayloadCodec.encode(withExclude, problems::add);
        assertTrue(proto.getKubespan().getUnknownFields().asMap().isEmpty());
        Affiliate back = p.open("n1", p.sealAffiliate(withExclude, problems::add), List.of(), problems::add);
        assertEquals(List.of(), Specs.texts(back.kubespan().excludeAdvertisedNetworks()));
    }

    @Test
    public void endpointsAreDroppedWithoutKubeSpanAsTalosDoes() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        Affiliate a = new Affiliate("n1", List.of(), "h", "n", "", "worker", null, null);
        Affiliate back = p.open("n1", p.sealAffiliate(a, problems::add),
                List.of(p.sealEndpoint(Endpoint.parse("192.0.2.1:51820"))), problems::add);
        assertNull(back.kubespan());
    }

    @Test
    public void badEndpointBlobsAreSkippedAndTheRestKept() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        Affiliate a = Fixtures.affiliate("n1", "4");
        List<byte[]> blobs = List.of(p.sealEndpoint(Endpoint.parse("192.0.2.4:51820")), new byte[16], new byte[7],
                Fixtures.otherKeyPayloads().sealEndpoint(Endpoint.parse("192.0.2.99:1")),
                p.sealEndpoint(Endpoint.parse("192.0.2.4:51820")));
        Affiliate back = p.open("n1", p.sealAffiliate(a, problems::add), blobs, problems::add);
        assertEquals(List.of("192.0.2.4:51820"), Specs.texts(back.kubespan().endpoints()));
        assertTrue(problems.size() >= 2);
    }

    @Test
    public void payloadNamingAnotherNodeIsRejected() {
        SealedPayloads p = Fixtures.payloads();
        byte[] data = p.sealAffiliate(Fixtures.affiliate("other", "5"), problems::add);
        PayloadException e = assertThrows(PayloadException.class, () -> p.open("n1", data, List.of(), problems::add));
        assertTrue(e.getMessage().contains("another node ID"));
    }

    @Test
    public void payloadWithoutNodeIdTakesTheOuterId() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        byte[] plain = dev.kubespan.discovery.grpc.client.Affiliate.newBuilder().setHostname("h").build().toByteArray();
        Affiliate a = p.open("n9", p.cipher().seal(plain), List.of(), problems::add);
        assertEquals("n9", a.nodeId());
        assertEquals("worker", a.machineType());
    }

    @Test
    public void garbagePlaintextIsRejected() {
        SealedPayloads p = Fixtures.payloads();
        byte[] data = p.cipher().seal(new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff });
        PayloadException e = assertThrows(PayloadException.class, () -> p.open("n1", data, List.of(), problems::add));
        assertTrue(e.getMessage().contains("not a valid Affiliate protobuf"));
    }

    @Test
    public void ipEncodingFollowsGoNetip() throws Exception {
        assertEquals(4, IpBytes.encode("10.0.0.1").length);
        assertEquals(16, IpBytes.encode("fd00::1").length);
        byte[] mapped = IpBytes.encode("::ffff:10.0.0.1");
        assertEquals(16, mapped.length);
        assertEquals("::ffff:a00:1", IpBytes.decodeText(mapped));
        assertArrayEquals(mapped, IpBytes.encode(IpBytes.decodeText(mapped)));
        byte[] zoned = new byte[16 + 4];
        zoned[0] = (byte) 0xfe;
        zoned[1] = (byte) 0x80;
        zoned[15] = 1;
        System.arraycopy("eth0".getBytes(), 0, zoned, 16, 4);
        assertEquals("fe80::1", IpBytes.decodeText(zoned));
        assertThrows(PayloadException.class, () -> IpBytes.decode(new byte[5]));
        assertThrows(PayloadException.class, () -> IpBytes.decode(new byte[0]));
    }

    @Test
    public void malformedAddressesInAPeerPayloadAreSkippedOneByOne() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        byte[] plain = dev.kubespan.discovery.grpc.client.Affiliate.newBuilder()
                .setNodeId("n1")
                .addAddresses(ByteString.copyFrom(new byte[] { 10, 0, 0, 1 }))
                .addAddresses(ByteString.copyFrom(new byte[] { 1, 2, 3 }))
                .setMachineType("join")
                .build().toByteArray();
        Affiliate a = p.open("n1", p.cipher().seal(plain), List.of(), problems::add);
        assertEquals(List.of("10.0.0.1"), a.addresses());
        assertEquals("worker", a.machineType());
        assertEquals(1, problems.size());
    }

    /** Validated once, here: an affiliate whose key is not a WireGuard key has no KubeSpan part downstream. */
    @Test
    public void aKubeSpanPartWithABadPublicKeyIsDroppedAndReported() throws Exception {
        SealedPayloads p = Fixtures.payloads();
        byte[] plain = dev.kubespan.discovery.grpc.client.Affiliate.newBuilder()
                .setNodeId("n1")
                .setKubespan(dev.kubespan.discovery.grpc.client.KubeSpan.newBuilder().setPublicKey("not-a-key")
                        .setAddress(ByteString.copyFrom(new byte[] { (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                0, 1 })))
                .build().toByteArray();
        Affiliate a = p.open("n1", p.cipher().seal(plain), List.of(p.sealEndpoint(Endpoint.parse("192.0.2.1:51820"))),
                problems::add);
        assertEquals(null, a.kubespan());
        assertEquals(List.of("kubespan data skipped: the public key is not a WireGuard key"), problems);
    }

    @Test
    public void machineTypesFollowTalosParser() {
        assertEquals("controlplane", PayloadCodec.machineType("controlplane"));
        assertEquals("init", PayloadCodec.machineType("init"));
        assertEquals("worker", PayloadCodec.machineType(""));
        assertEquals("worker", PayloadCodec.machineType("join"));
        assertEquals("unknown", PayloadCodec.machineType("bogus"));
    }

    @Test
    public void oversizedLocalDataIsRefusedBeforeTheServerDoes() {
        SealedPayloads p = Fixtures.payloads();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add("2001:db8::" + Integer.toHexString(i + 1));
        }
        Affiliate big = new Affiliate("n1", many, "", "", "", "worker", null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.sealAffiliate(big, problems::add));
        assertTrue(e.getMessage().contains("limit is 2048"));
    }
}
