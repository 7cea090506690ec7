package dev.kubespan.discovery.grpc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import dev.kubespan.discovery.grpc.transport.OwnedServer;
import dev.kubespan.test.SelfSignedCertificate;
import io.grpc.stub.StreamObserver;

/** Real TCP on 127.0.0.1: plaintext and TLS calls work, and close() leaves no thread behind. */
public class OwnedTransportTest {
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("owned-transport");
    }

    @After
    public void tearDown() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    static final class EchoIp extends ClusterGrpc.ClusterImplBase {
        @Override
        public void hello(HelloRequest request, StreamObserver<HelloResponse> out) {
            out.onNext(HelloResponse.newBuilder().setClientIp(ByteString.copyFromUtf8(request.getClusterId())).build());
            out.onCompleted();
        }
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix))
                .collect(Collectors.toList());
    }

    private static String call(OwnedChannel ch) {
        return ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                .hello(HelloRequest.newBuilder().setClusterId("ping").build()).getClientIp().toStringUtf8();
    }

    @Test
    public void plaintextCallAndCleanClose() throws Exception {
        OwnedServer server = OwnedServer.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new EchoIp()).threadNamePrefix("t-srv").start();
        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext().threadNamePrefix("t-cli").build();
        try {
            assertEquals("ping", call(ch));
            assertTrue(!threadsNamed("t-srv").isEmpty());
        } finally {
            ch.close();
            server.close();
        }
        assertTrue(server.isTerminated());
        assertEquals(List.of(), threadsNamed("t-srv"));
        assertEquals(List.of(), threadsNamed("t-cli"));
    }

    @Test
    public void tlsWithSelfSignedCertificate() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        OwnedServer server = OwnedServer.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .tls(cert.certificate(), cert.privateKey()).addService(new EchoIp()).threadNamePrefix("t-tls-srv").start();
        OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).trustedCa(cert.certificate())
                .overrideAuthority("localhost").threadNamePrefix("t-tls-cli").build();
        try {
            assertTrue(server.isTls());
            assertEquals("ping", call(ch));
        } finally {
            ch.close();
            server.close();
        }
        assertEquals(List.of(), threadsNamed("t-tls-srv"));
        assertEquals(List.of(), threadsNamed("t-tls-cli"));
    }

    @Test(expected = io.grpc.StatusRuntimeException.class)
    public void plaintextClientCannotTalkToTlsServer() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        try (OwnedServer server = OwnedServer.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .tls(cert.certificate(), cert.privateKey()).addService(new EchoIp()).start();
                OwnedChannel ch = OwnedChannel.forTarget("127.0.0.1:" + server.port()).plaintext().build()) {
            ClusterGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .hello(HelloRequest.newBuilder().setClusterId("x").build());
        }
    }
}
