package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.test.Specs;

public class PublicationBuilderTest {
    private final List<String> problems = new ArrayList<>();
    private final PublicationBuilder builder = new PublicationBuilder((k, m) -> problems.add(m));
    private final SealedPayloads payloads = Fixtures.payloads();

    @Test
    public void unchangedInputsReuseTheSameSealedData() {
        Affiliate local = Fixtures.affiliate("self", "1");
        Publication a = builder.build(payloads, "self", local, List.of());
        Publication b = builder.build(payloads, "self", Fixtures.affiliate("self", "1"), List.of());
        assertSame(a, b);
        Publication c = builder.build(payloads, "self", Fixtures.affiliate("self", "2"), List.of());
        assertNotSame(a, c);
        assertTrue(c.hasData());
        assertEquals(2, c.endpoints().size());
    }

    @Test
    public void noLocalAffiliateMeansNothingToPublish() {
        Publication p = builder.build(payloads, "self", null,
                List.of(new KubeSpanEndpoint("peer", "192.0.2.7:51820")));
        assertFalse(p.hasData());
        assertTrue(p.others().isEmpty());
    }

    @Test
    public void harvestedEndpointsAreGroupedPerAffiliateAndOwnIdSkipped() throws Exception {
        Publication p = builder.build(payloads, "self", Fixtures.affiliate("self", "1"), List.of(
                new KubeSpanEndpoint("peerA", "192.0.2.7:51820"),
                new KubeSpanEndpoint("peerB", "198.51.100.1:40000"),
                new KubeSpanEndpoint("peerA", "[2001:db8::7]:51820"),
                new KubeSpanEndpoint("peerA", "192.0.2.7:51820"),
                new KubeSpanEndpoint("self", "203.0.113.1:51820"),
                new KubeSpanEndpoint("", "203.0.113.2:51820"),
                new KubeSpanEndpoint("peerC", "not-an-endpoint")));
        assertEquals(List.of("peerA", "peerB"), List.copyOf(new java.util.TreeSet<>(p.others().keySet())));
        assertEquals(2, p.others().get("peerA").size());
        assertEquals("[2001:db8::7]:51820", payloads.openEndpoint(p.others().get("peerA").get(1)).toString());
        assertEquals(1, problems.size());
    }

    @Test
    public void atMost64EndpointsPerAffiliate() {
        List<String> eps = new ArrayList<>();
        for (int i = 1; i <= 70; i++) {
            eps.add("10.0." + i + ".1:51820");
        }
        Affiliate a = new Affiliate("self", List.of(), "", "", "", "worker",
                Specs.kubeSpan(Specs.key("pk"), "fd00::1", List.of(), eps, List.of()), null);
        Publication p = builder.build(payloads, "self", a, List.of());
        assertEquals(64, p.endpoints().size());
        assertEquals(1, problems.size());
    }
}
