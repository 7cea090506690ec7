package dev.kubespan.itests.e2e;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.discovery.grpc.server.AffiliateDeleteRequest;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.discovery.service.internal.ClusterCipher;
import dev.kubespan.discovery.service.internal.SealedPayloads;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * Simulated cluster members for the fault suite: affiliates with real WireGuard keys, sealed with
 * the cluster secret by the agent's own payload code ({@link SealedPayloads}) and published to a
 * real discovery server over gRPC, so every agent of the cluster takes them for peers. Their
 * endpoints are lab addresses where nothing answers, so they never come {@code up}.
 */
final class AffiliatePublisher implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ManagedChannel channel;
    private final ClusterGrpc.ClusterBlockingStub stub;
    private final String clusterId;
    private final SealedPayloads payloads;

    AffiliatePublisher(String target, String clusterId, String clusterSecret) {
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        this.stub = ClusterGrpc.newBlockingStub(channel);
        this.clusterId = clusterId;
        this.payloads = new SealedPayloads(ClusterCipher.fromBase64(clusterSecret, RANDOM));
    }

    /**
     * Publishes member {@code index} (1..250) under a fresh key pair with a TTL of {@code ttlSeconds};
     * returns its public key. Its KubeSpan address is {@code subnet}'s with {@code 5:<index>} as the
     * last bits, and its endpoint 10.99.2.INDEX:51820 (no host there).
     */
    String publish(String id, int index, long ttlSeconds, java.net.InetAddress subnet) {
        Key publicKey = Key.generatePrivateKey().publicKey();
        String endpoint = "10.99.2." + index + ":51820";
        byte[] address = subnet.getAddress();
        java.util.Arrays.fill(address, 8, 16, (byte) 0);
        address[13] = 5;
        address[15] = (byte) index;
        java.net.InetAddress kubespanAddress;
        try {
            kubespanAddress = java.net.InetAddress.getByAddress(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        Affiliate a = new Affiliate(id, List.of("10.99.2." + index), id, id, "simulated", "worker",
                new AffiliateKubeSpan(publicKey, kubespanAddress, List.of(), List.of(Endpoint.parse(endpoint)), List.of()),
                null);
        byte[] data = payloads.sealAffiliate(a, problem -> {
            throw new IllegalStateException(problem);
        });
        byte[] ep = payloads.sealEndpoint(Endpoint.parse(endpoint));
        stub.withDeadlineAfter(20, TimeUnit.SECONDS).affiliateUpdate(AffiliateUpdateRequest.newBuilder()
                .setClusterId(clusterId).setAffiliateId(id).setAffiliateData(ByteString.copyFrom(data))
                .addAffiliateEndpoints(ByteString.copyFrom(ep))
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttlSeconds)).build());
        return publicKey.toBase64();
    }

    void delete(String id) {
        stub.withDeadlineAfter(20, TimeUnit.SECONDS).affiliateDelete(
                AffiliateDeleteRequest.newBuilder().setClusterId(clusterId).setAffiliateId(id).build());
    }

    /** The IDs of the cluster's affiliates the server holds now. */
    List<String> list() {
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS).list(ListRequest.newBuilder().setClusterId(clusterId).build())
                .getAffiliatesList().stream().map(a -> a.getId()).toList();
    }

    static String randomSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
