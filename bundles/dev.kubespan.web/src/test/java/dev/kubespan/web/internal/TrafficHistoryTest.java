package dev.kubespan.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class TrafficHistoryTest {
    private static MeshView.PeerSample p(String name, String state, long rx, long tx) {
        return new MeshView.PeerSample(name, state, rx, tx);
    }

    @Test
    public void ratesComeFromTheLastTwoSamples() {
        TrafficHistory h = new TrafficHistory(4);
        h.record(0, List.of(p("a", "up", 0, 0)));
        assertNull("one sample: no rate yet", h.rates().of("a"));
        h.record(10_000, List.of(p("a", "up", 10_000, 5_000)));
        assertEquals(1000.0, h.rates().of("a").receive(), 1e-9);
        assertEquals(500.0, h.rates().of("a").transmit(), 1e-9);
        h.record(20_000, List.of(p("a", "up", 5, 5)));
        assertNull("a counter that went back (agent restarted) is no rate", h.rates().of("a").receive());
    }

    @Test
    @SuppressWarnings("unchecked")
    public void theWindowKeepsTheLastSamplesAndForgetsGonePeers() {
        TrafficHistory h = new TrafficHistory(3);
        h.record(1000, List.of(p("a", "up", 0, 0), p("b", "down", 0, 0)));
        h.record(2000, List.of(p("a", "up", 100, 0)));
        h.record(3000, List.of(p("a", "unknown", 300, 0)));
        Map<String, Object> m = h.toModel(1000);
        assertEquals(List.of(1.0, 2.0, 3.0), m.get("times"));
        Map<String, Map<String, List<Object>>> peers = (Map<String, Map<String, List<Object>>>) m.get("peers");
        assertEquals(java.util.Arrays.asList(1, 1, 2), peers.get("a").get("state"));
        assertEquals(java.util.Arrays.asList(null, 100.0, 200.0), peers.get("a").get("receiveBytesPerSecond"));
        assertEquals(java.util.Arrays.asList(0, null, null), peers.get("b").get("state"));
        h.record(4000, List.of(p("a", "up", 400, 0)));
        h.record(5000, List.of(p("a", "up", 500, 0)));
        m = h.toModel(1000);
        assertEquals(List.of(3.0, 4.0, 5.0), m.get("times"));
        assertEquals("b left the window", List.of("a"), List.copyOf(((Map<String, Object>) m.get("peers")).keySet()));
    }
}
