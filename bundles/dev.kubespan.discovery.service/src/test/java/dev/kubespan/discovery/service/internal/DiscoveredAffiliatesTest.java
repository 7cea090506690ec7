package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;

public class DiscoveredAffiliatesTest {
    private final SealedPayloads payloads = Fixtures.payloads();
    private final List<String> logLines = new ArrayList<>();
    private final RateLimitedLog rateLimited = new RateLimitedLog(logLines::add, System::nanoTime,
            Duration.ofMinutes(10), 100);
    private final DiscoveredAffiliates view = new DiscoveredAffiliates("self", payloads, rateLimited::log);

    private dev.kubespan.discovery.grpc.server.Affiliate wire(Affiliate a) {
        var b = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder()
                .setId(a.nodeId())
                .setData(ByteString.copyFrom(payloads.sealAffiliate(a, p -> {
                })));
        for (Endpoint e : a.kubespan().endpoints()) {
            b.addEndpoints(ByteString.copyFrom(payloads.sealEndpoint(e)));
        }
        return b.build();
    }

    private static WatchResponse msg(dev.kubespan.discovery.grpc.server.Affiliate... a) {
        return WatchResponse.newBuilder().addAllAffiliates(List.of(a)).build();
    }

    private static WatchResponse deleted(String id) {
        return WatchResponse.newBuilder().setDeleted(true)
                .addAffiliates(dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId(id)).build();
    }

    @Test
    public void snapshotThenDeltasThenDeletion() {
        Affiliate a = Fixtures.affiliate("a", "1");
        Affiliate b = Fixtures.affiliate("b", "2");
        view.apply(msg(wire(a), wire(b)), true);
        assertEquals(Set.of("a", "b"), view.snapshot().keySet());
        assertEquals(a, view.snapshot().get("a"));

        Affiliate a2 = Fixtures.affiliate("a", "11");
        view.apply(msg(wire(a2)), false);
        assertEquals(a2, view.snapshot().get("a"));

        view.apply(deleted("b"), false);
        assertEquals(Set.of("a"), view.snapshot().keySet());
    }

    @Test
    public void aNewSnapshotReplacesEverything() {
        view.apply(msg(wire(Fixtures.affiliate("a", "1")), wire(Fixtures.affiliate("b", "2"))), true);
        view.apply(msg(wire(Fixtures.affiliate("c", "3"))), true);
        assertEquals(Set.of("c"), view.snapshot().keySet());
        view.apply(msg(), true);
        assertTrue(view.snapshot().isEmpty());
    }

    @Test
    public void ownAffiliateAndEmptyDataAreIgnored() {
        var empty = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("endpointsOnly")
                .addEndpoints(ByteString.copyFrom(payloads.sealEndpoint(Endpoint.parse("192.0.2.1:51820")))).build();
        view.apply(msg(wire(Fixtures.affiliate("self", "9")), empty, wire(Fixtures.affiliate("a", "1"))), true);
        assertEquals(Set.of("a"), view.snapshot().keySet());
        assertTrue(logLines.isEmpty());
    }

    @Test
    public void garbageIsDroppedWithoutDisturbingOthers() {
        Affiliate a = Fixtures.affiliate("a", "1");
        var garbage = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("evil")
                .setData(ByteString.copyFrom(new byte[100])).addEndpoints(ByteString.copyFrom(new byte[16])).build();
        var shortData = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("short")
                .setData(ByteString.copyFrom(new byte[5])).build();
        Affiliate otherCluster = Fixtures.affiliate("foreign", "7");
        var foreign = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("foreign")
                .setData(ByteString.copyFrom(Fixtures.otherKeyPayloads().sealAffiliate(otherCluster, p -> {
                }))).build();
        var badId = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("bad id\n")
                .setData(ByteString.copyFrom(payloads.sealAffiliate(a, p -> {
                }))).build();
        view.apply(msg(garbage, wire(a), shortData, foreign, badId), true);
        assertEquals(Set.of("a"), view.snapshot().keySet());
        assertEquals(a, view.snapshot().get("a"));
        assertEquals(4, logLines.size());
        assertTrue(logLines.toString(), logLines.get(0).contains("evil") && logLines.get(0).contains("authentication"));
        assertTrue(logLines.get(1).contains("short") && logLines.get(1).contains("too short"));
    }

    @Test
    public void aGarbageUpdateKeepsTheLastGoodVersion() {
        Affiliate a = Fixtures.affiliate("a", "1");
        view.apply(msg(wire(a)), true);
        var tampered = wire(a).toBuilder();
        byte[] data = tampered.getData().toByteArray();
        data[20] ^= 1;
        tampered.setData(ByteString.copyFrom(data));
        view.apply(msg(tampered.build()), false);
        assertEquals(a, view.snapshot().get("a"));
    }

    @Test
    public void repeatedGarbageFromOneAffiliateLogsOnce() {
        var garbage = dev.kubespan.discovery.grpc.server.Affiliate.newBuilder().setId("evil")
                .setData(ByteString.copyFrom(new byte[64])).build();
        for (int i = 0; i < 50; i++) {
            view.apply(msg(garbage), false);
        }
        var garbage2 = garbage.toBuilder().setId("evil2").build();
        view.apply(msg(garbage2), false);
        assertEquals(2, logLines.size());
        assertTrue(view.snapshot().isEmpty());
    }

    @Test
    public void deletionOfUnknownIsHarmless() {
        view.apply(deleted("nobody"), false);
        assertTrue(view.snapshot().isEmpty());
    }
}
