package dev.kubespan.discovery.grpc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.HexFormat;

import org.junit.Test;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;

import dev.kubespan.discovery.grpc.client.ControlPlane;
import dev.kubespan.discovery.grpc.client.Endpoint;
import dev.kubespan.discovery.grpc.client.IPPrefix;
import dev.kubespan.discovery.grpc.client.KubeSpan;
import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.server.RedirectMessage;
import dev.kubespan.discovery.grpc.server.WatchResponse;

/**
 * Byte vectors computed by hand from the field tables of docs/discovery-protocol.md (tag byte =
 * field number << 3 | wire type), so that a wrong field number or type in our .proto fails here.
 */
public class WireEncodingTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static ByteString bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return ByteString.copyFrom(out);
    }

    @Test
    public void endpointMatchesTheWorkedExampleOfTheSpec() {
        // 10.0.0.2:51820: field 1 bytes(4), field 2 varint 51820 = ec 94 03
        byte[] encoded = Endpoint.newBuilder().setIp(bytes(10, 0, 0, 2)).setPort(51820).build().toByteArray();
        assertArrayEquals(hex("0a 04 0a000002 10 ec9403"), encoded);
        assertEquals(10, encoded.length);
    }

    @Test
    public void endpointWithPortZeroOmitsFieldTwo() {
        assertArrayEquals(hex("0a 04 c0000201"),
                Endpoint.newBuilder().setIp(bytes(192, 0, 2, 1)).build().toByteArray());
    }

    @Test
    public void affiliateUpdateRequestFieldNumbersAndOptionalPresence() {
        AffiliateUpdateRequest req = AffiliateUpdateRequest.newBuilder()
                .setClusterId("c")
                .setAffiliateId("a")
                .setAffiliateData(ByteString.EMPTY)
                .addAffiliateEndpoints(bytes(1))
                .setTtl(Duration.newBuilder().setSeconds(1800))
                .build();
        // proto3 optional bytes: explicitly set empty value is still written (1a 00)
        assertArrayEquals(hex("0a0163 120161 1a00 220101 2a03 08880e"), req.toByteArray());

        AffiliateUpdateRequest noData = AffiliateUpdateRequest.newBuilder().setClusterId("c").setAffiliateId("a").build();
        assertFalse(noData.hasAffiliateData());
        assertArrayEquals(hex("0a0163 120161"), noData.toByteArray());
    }

    @Test
    public void helloResponseWithRedirectAndClientIp() {
        HelloResponse r = HelloResponse.newBuilder()
                .setRedirect(RedirectMessage.newBuilder().setEndpoint("h:1"))
                .setClientIp(bytes(127, 0, 0, 1))
                .build();
        assertArrayEquals(hex("0a05 0a03683a31 1204 7f000001"), r.toByteArray());
        HelloResponse parsed = parse(hex("1204 7f000001"));
        assertFalse(parsed.hasRedirect());
        assertEquals(bytes(127, 0, 0, 1), parsed.getClientIp());
    }

    private static HelloResponse parse(byte[] b) {
        try {
            return HelloResponse.parseFrom(b);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void watchResponseDeletionEvent() {
        WatchResponse w = WatchResponse.newBuilder()
                .addAffiliates(Affiliate.newBuilder().setId("x"))
                .setDeleted(true)
                .build();
        assertArrayEquals(hex("0a03 0a0178 1001"), w.toByteArray());
        Affiliate full = Affiliate.newBuilder().setId("x").setData(bytes(9)).addEndpoints(bytes(7, 8)).build();
        assertArrayEquals(hex("0a0178 120109 1a020708"), full.toByteArray());
    }

    @Test
    public void clientAffiliateWithKubeSpanAndControlPlane() {
        dev.kubespan.discovery.grpc.client.Affiliate a = dev.kubespan.discovery.grpc.client.Affiliate.newBuilder()
                .setNodeId("n")
                .addAddresses(bytes(1, 2, 3, 4))
                .setHostname("h")
                .setNodename("m")
                .setMachineType("worker")
                .setOperatingSystem("o")
                .setKubespan(KubeSpan.newBuilder()
                        .setPublicKey("k")
                        .setAddress(bytes(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
                        .addAdditionalAddresses(IPPrefix.newBuilder().setIp(bytes(10, 244, 0, 0)).setBits(24)))
                .setControlPlane(ControlPlane.newBuilder().setApiServerPort(6443))
                .build();
        String expected = "0a016e" // 1 node_id
                + "120401020304" // 2 addresses
                + "1a0168" // 3 hostname
                + "22016d" // 4 nodename
                + "2a06776f726b6572" // 5 machine_type "worker"
                + "32016f" // 6 operating_system
                + "3a1f" // 7 kubespan, 31 bytes
                + "0a016b" // 1 public_key
                + "1210fd000000000000000000000000000001" // 2 address
                + "1a08" + "0a040af40000" + "1018" // 3 additional_addresses {ip, bits 24}
                + "4203" + "08ab32"; // 8 control_plane {api_server_port 6443}
        assertArrayEquals(hex(expected), a.toByteArray());
    }

    @Test
    public void unknownKubeSpanFieldSurvivesARoundTrip() throws Exception {
        // field 4 (not pinned, see affiliate.proto) arrives from a newer peer: kept, not lost
        byte[] withField4 = hex("0a016b 2206 0a040a000000");
        KubeSpan k = KubeSpan.parseFrom(withField4);
        assertEquals("k", k.getPublicKey());
        assertArrayEquals(withField4, k.toByteArray());
    }

    @Test
    public void serviceAndMethodNamesMatchTheWireContract() {
        assertEquals("sidero.discovery.server.Cluster", ClusterGrpc.SERVICE_NAME);
        assertEquals("sidero.discovery.server.Cluster/Hello", ClusterGrpc.getHelloMethod().getFullMethodName());
        assertEquals("sidero.discovery.server.Cluster/AffiliateUpdate",
                ClusterGrpc.getAffiliateUpdateMethod().getFullMethodName());
        assertEquals("sidero.discovery.server.Cluster/AffiliateDelete",
                ClusterGrpc.getAffiliateDeleteMethod().getFullMethodName());
        assertEquals("sidero.discovery.server.Cluster/List", ClusterGrpc.getListMethod().getFullMethodName());
        assertEquals("sidero.discovery.server.Cluster/Watch", ClusterGrpc.getWatchMethod().getFullMethodName());
        assertEquals(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING, ClusterGrpc.getWatchMethod().getType());
    }

    @Test
    public void proto3OptionalFieldsHavePresence() {
        Descriptor req = AffiliateUpdateRequest.getDescriptor();
        FieldDescriptor data = req.findFieldByName("affiliate_data");
        assertEquals(3, data.getNumber());
        assertTrue(data.hasPresence());
        assertEquals("sidero.discovery.server.AffiliateUpdateRequest", req.getFullName());
        assertEquals("google.protobuf.Duration", req.findFieldByName("ttl").getMessageType().getFullName());
        assertTrue(HelloResponse.getDescriptor().findFieldByName("redirect").hasPresence());
        assertEquals("sidero.discovery.client.Affiliate",
                dev.kubespan.discovery.grpc.client.Affiliate.getDescriptor().getFullName());
    }
}
