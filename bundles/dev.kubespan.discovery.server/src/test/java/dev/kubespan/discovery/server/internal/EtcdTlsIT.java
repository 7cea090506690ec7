package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.ListRequest;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings;
import dev.kubespan.api.Log;

/**
 * The etcd backend over TLS with client certificates (etcd {@code --client-cert-auth}), against
 * a real three-member etcd whose certificates a test CA signed: two replicas share state; a
 * replica that does not trust the etcd CA, or has no client certificate, does not start and says
 * why.
 */
public class EtcdTlsIT {
    private static EtcdLab etcd;

    @BeforeClass
    public static void startEtcd() throws Exception {
        etcd = EtcdLab.start("tls", 3, true);
    }

    @AfterClass
    public static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static ServerSettings settings(EtcdSettings e) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return new ServerSettings().listen(new InetSocketAddress(lo, 0)).metrics(null).snapshot(null, Duration.ofHours(1))
                .rateLimit(0, 1).etcd(e);
    }

    @Test
    public void replicasShareStateOverTlsWithClientCertificates() throws Exception {
        EtcdSettings e = etcd.settings("/tls/");
        assertTrue(e.tls());
        try (DiscoveryServer one = DiscoveryServer.start(settings(e), Log.console("[discovery server]", false));
                DiscoveryServer two = DiscoveryServer.start(settings(e), Log.console("[discovery server]", false));
                OwnedChannel c1 = OwnedChannel.forTarget("127.0.0.1:" + one.port()).plaintext().build();
                OwnedChannel c2 = OwnedChannel.forTarget("127.0.0.1:" + two.port()).plaintext().build()) {
            ClusterGrpc.newBlockingStub(c1.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .affiliateUpdate(AffiliateUpdateRequest.newBuilder().setClusterId("c").setAffiliateId("a")
                            .setAffiliateData(ByteString.copyFromUtf8("over tls"))
                            .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ClusterGrpc.newBlockingStub(c2.channel()).list(ListRequest.newBuilder().setClusterId("c").build())
                    .getAffiliatesCount() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("the other replica never saw the update");
                }
                Thread.sleep(20);
            }
            assertTrue(two.state().health().detail(), two.state().health().detail().startsWith("etcd https://"));
        }
    }

    @Test
    public void aReplicaWithoutTheCaOrWithoutAClientCertificateDoesNotStart() throws Exception {
        EtcdSettings good = etcd.settings("/tls/");
        EtcdSettings noCert = new EtcdSettings(good.endpoints(), true, good.caFile(), null, null, null, null,
                good.prefix(), Duration.ofSeconds(2));
        EtcdSettings wrongCa = new EtcdSettings(good.endpoints(), true, etcd.tlsFile("client.pem"), good.certFile(),
                good.keyFile(), null, null, good.prefix(), Duration.ofSeconds(2));
        for (EtcdSettings bad : new EtcdSettings[] {noCert, wrongCa}) {
            try {
                DiscoveryServer.start(settings(bad), Log.console("[discovery server]", false)).close();
                fail("started with " + bad);
            } catch (IOException expected) {
                System.out.println("FIGURE etcd TLS misconfigured (" + (bad == noCert ? "no client certificate"
                        : "server certificate not trusted") + "): " + expected.getMessage());
                assertTrue(expected.getMessage(), expected.getMessage().startsWith("etcd https://"));
            }
        }
        assertEquals(3, good.endpoints().size());
    }
}
