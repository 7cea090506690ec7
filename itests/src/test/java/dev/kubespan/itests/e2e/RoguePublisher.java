package dev.kubespan.itests.e2e;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.client.Affiliate;
import dev.kubespan.discovery.grpc.client.Endpoint;
import dev.kubespan.discovery.grpc.client.KubeSpan;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

/**
 * A client that knows a cluster's ID but not its secret, publishing garbage into the discovery
 * server for that cluster: affiliates sealed under a wrong key, truncated and random blobs,
 * random endpoint blobs (also attached to the real nodes' affiliates, the way harvested endpoints
 * are reported), and odd affiliate IDs within the server's limits. Run as its own process in a
 * lab namespace, with the distribution's lib/discovery/ and the itests' test classes:
 *
 * <pre>java -cp 'DIST/lib/discovery/*:TEST_CLASSES' dev.kubespan.itests.e2e.RoguePublisher HOST:PORT CLUSTER_ID [REAL_NODE_ID...]</pre>
 *
 * Prints one line per request ({@code ok} or the server's refusal) and exits 0 when every request
 * got an answer.
 */
public final class RoguePublisher {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(600)
            .build();

    private RoguePublisher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RoguePublisher HOST:PORT CLUSTER_ID [REAL_NODE_ID...]");
            System.exit(2);
        }
        String clusterId = args[1];
        ManagedChannel channel = Grpc.newChannelBuilder(args[0], InsecureChannelCredentials.create()).build();
        int failures = 0;
        try {
            ClusterGrpc.ClusterBlockingStub stub = ClusterGrpc.newBlockingStub(channel);
            byte[] wrongKey = random(32);
            byte[] sealedWrong = seal(wrongKey, plausibleAffiliate("rogue-wrong-key").toByteArray());
            List<Publication> all = new ArrayList<>();
            all.add(new Publication("rogue-wrong-key", sealedWrong,
                    List.of(endpoint(wrongKey, new byte[] {10, 99, 0, 66}), random(16), random(32))));
            all.add(new Publication("rogue-truncated", Arrays.copyOf(sealedWrong, 20), List.of(random(16))));
            all.add(new Publication("rogue-tiny", random(5), List.of(random(7))));
            all.add(new Publication("rogue-random", random(300), List.of(random(32), random(31), random(1))));
            all.add(new Publication("rogue-endpoints-only", new byte[0], List.of(random(16), random(32))));
            all.add(new Publication("x".repeat(256), random(64), List.of(random(16))));
            all.add(new Publication("../../etc/passwd", sealedWrong, List.of()));
            all.add(new Publication("evil id\twith\ncontrol", random(40), List.of()));
            all.add(new Publication("\u00f1\u00f8d\u00e9-\u2603", random(2048), List.of(random(16))));
            all.add(new Publication("-", seal(wrongKey, new byte[0]), List.of()));
            for (int i = 2; i < args.length; i++) {
                // Endpoint-only reports for the real nodes: garbage next to their good endpoints.
                all.add(new Publication(args[i], new byte[0],
                        List.of(random(16), random(32), endpoint(wrongKey, new byte[] {10, 99, 0, 67}))));
            }
            for (Publication p : all) {
                AffiliateUpdateRequest.Builder req = AffiliateUpdateRequest.newBuilder().setClusterId(clusterId)
                        .setAffiliateId(p.id()).setTtl(TTL);
                if (p.data().length > 0) {
                    req.setAffiliateData(ByteString.copyFrom(p.data()));
                }
                p.endpoints().forEach(e -> req.addAffiliateEndpoints(ByteString.copyFrom(e)));
                try {
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).affiliateUpdate(req.build());
                    System.out.println("ok      " + printable(p.id()));
                } catch (StatusRuntimeException e) {
                    // The server's own limits (e.g. blob sizes) refuse some: that is an answer too.
                    System.out.println("refused " + printable(p.id()) + ": " + e.getStatus());
                    if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                            || e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                        failures++;
                    }
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private record Publication(String id, byte[] data, List<byte[]> endpoints) {
    }

    /** A well-formed affiliate (a peer with a key, an address and an endpoint) before sealing. */
    private static Affiliate plausibleAffiliate(String id) {
        byte[] ula = new byte[16];
        ula[0] = (byte) 0xfd;
        System.arraycopy(random(15), 0, ula, 1, 15);
        return Affiliate.newBuilder().setNodeId(id).setHostname("rogue").setNodename("rogue")
                .setMachineType("worker").setOperatingSystem("rogue")
                .addAddresses(ByteString.copyFrom(new byte[] {10, 99, 0, 66}))
                .setKubespan(KubeSpan.newBuilder().setPublicKey(Base64.getEncoder().encodeToString(random(32)))
                        .setAddress(ByteString.copyFrom(ula)))
                .build();
    }

    /** AES-GCM as the protocol seals affiliate data: nonce || ciphertext || tag. */
    private static byte[] seal(byte[] key, byte[] plain) throws GeneralSecurityException {
        byte[] nonce = random(12);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        byte[] sealed = gcm.doFinal(plain);
        return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    }

    /** An endpoint blob as the protocol encodes it (length byte, protobuf, zero padding, AES-ECB). */
    private static byte[] endpoint(byte[] key, byte[] ip) throws GeneralSecurityException {
        byte[] proto = Endpoint.newBuilder().setIp(ByteString.copyFrom(ip)).setPort(51820).build().toByteArray();
        byte[] padded = new byte[(proto.length + 1 + 15) / 16 * 16];
        padded[0] = (byte) proto.length;
        System.arraycopy(proto, 0, padded, 1, proto.length);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return ecb.doFinal(padded);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String printable(String id) {
        String p = id.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 40 ? p.substring(0, 40) + "...(" + p.length() + ")" : p;
    }
}
