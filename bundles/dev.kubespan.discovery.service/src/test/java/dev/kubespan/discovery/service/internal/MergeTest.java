package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import org.junit.Test;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.test.Specs;

public class MergeTest {

    private static Affiliate node(String id, String host, List<String> addresses, List<String> endpoints) {
        return new Affiliate(id, addresses, host, "n-" + id, "os", "worker",
                Specs.kubeSpan(Specs.key("pk-" + id), "fd00::1", List.of(), endpoints, List.of()), null);
    }

    @Test
    public void twoServicesViewsAreMergedByNodeIdNotOverwritten() {
        Map<String, Affiliate> first = Map.of(
                "a", node("a", "a1", List.of("10.0.0.1"), List.of("10.0.0.1:51820")),
                "b", node("b", "b1", List.of("10.0.0.2"), List.of("10.0.0.2:51820")));
        Map<String, Affiliate> second = Map.of(
                "a", node("a", "", List.of("10.0.0.1", "192.0.2.1"), List.of("192.0.2.1:40000", "10.0.0.1:51820")),
                "c", node("c", "c2", List.of("10.0.0.3"), List.of()));
        SortedMap<String, Affiliate> merged = DiscoveryRegistry.merge(List.of(first, second));

        assertEquals(List.of("a", "b", "c"), List.copyOf(merged.keySet()));
        Affiliate a = merged.get("a");
        assertEquals(List.of("10.0.0.1", "192.0.2.1"), a.addresses());
        assertEquals(List.of("10.0.0.1:51820", "192.0.2.1:40000"), Specs.texts(a.kubespan().endpoints()));
        // An empty hostname from the second service does not wipe the first one's.
        assertEquals("a1", a.hostname());
        assertEquals(first.get("b"), merged.get("b"));
        assertEquals(second.get("c"), merged.get("c"));
    }

    @Test
    public void orderOfServicesDecidesTheBase() {
        Map<String, Affiliate> first = Map.of("a", node("a", "first", List.of(), List.of("10.0.0.1:1")));
        Map<String, Affiliate> second = Map.of("a", node("a", "second", List.of(), List.of("10.0.0.2:2")));
        assertEquals(List.of("10.0.0.2:2", "10.0.0.1:1"),
                Specs.texts(DiscoveryRegistry.merge(List.of(second, first)).get("a").kubespan().endpoints()));
        assertEquals("second", DiscoveryRegistry.merge(List.of(first, second)).get("a").hostname());
    }

    @Test
    public void noViewsNoAffiliates() {
        assertEquals(0, DiscoveryRegistry.merge(List.of(Map.of(), Map.of())).size());
    }
}
