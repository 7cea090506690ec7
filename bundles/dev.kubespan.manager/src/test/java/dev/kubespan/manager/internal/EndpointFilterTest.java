package dev.kubespan.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.IpLiterals;

/** docs/kubespan-node.md §6.3. */
public class EndpointFilterTest {
    private static final List<InetAddress> CANDIDATES = ips("2001:db8::1", "10.0.0.5", "fd00::7", "192.168.1.10",
            "10.1.2.3", "203.0.113.7");

    private static List<InetAddress> ips(String... s) {
        List<InetAddress> out = new ArrayList<>();
        for (String x : s) {
            out.add(IpLiterals.parse(x));
        }
        return out;
    }

    private static List<InetAddress> filter(String... rules) {
        EndpointFilter f = EndpointFilter.parse(List.of(rules), "test");
        assertEquals(List.of(), f.errors());
        return f.apply(CANDIDATES);
    }

    @Test
    public void emptyListMeansNoFiltering() {
        EndpointFilter f = EndpointFilter.parse(List.of(), "test");
        assertFalse(f.filters());
        assertEquals(CANDIDATES, f.apply(CANDIDATES));
    }

    @Test
    public void resultIsReorderedByRule() {
        // the spec's example: all IPv4 before all IPv6
        assertEquals(ips("10.0.0.5", "192.168.1.10", "10.1.2.3", "203.0.113.7", "2001:db8::1", "fd00::7"),
                filter("0.0.0.0/0", "::/0"));
        assertEquals(ips("2001:db8::1", "fd00::7", "10.0.0.5", "192.168.1.10", "10.1.2.3", "203.0.113.7"),
                filter("::/0", "0.0.0.0/0"));
    }

    @Test
    public void plainRuleKeepsCandidateOrderAndNoDuplicates() {
        assertEquals(ips("10.0.0.5", "10.1.2.3", "192.168.1.10"), filter("10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16"));
    }

    @Test
    public void leadingNegativeRuleRemovesNothing() {
        assertEquals(List.of(), filter("!10.0.0.0/8"));
        assertEquals(ips("10.0.0.5", "192.168.1.10", "10.1.2.3", "203.0.113.7"), filter("!10.0.0.0/8", "0.0.0.0/0"));
    }

    @Test
    public void negativeRuleRemovesWhatWasGatheredSoFar() {
        assertEquals(ips("192.168.1.10", "203.0.113.7"), filter("0.0.0.0/0", "!10.0.0.0/8"));
    }

    @Test
    public void laterPlainRuleCanAddBackAtTheEnd() {
        assertEquals(ips("192.168.1.10", "203.0.113.7", "10.1.2.3"), filter("0.0.0.0/0", "!10.0.0.0/8", "10.1.0.0/16"));
    }

    @Test
    public void bareIpIsAHostRule() {
        assertEquals(ips("203.0.113.7"), filter("203.0.113.7"));
        assertEquals(ips("fd00::7"), filter("fd00::7"));
        assertEquals(ips("10.0.0.5", "192.168.1.10", "203.0.113.7"), filter("0.0.0.0/0", "!10.1.2.3"));
    }

    @Test
    public void invalidRuleIsReportedAndLeftOut() {
        EndpointFilter f = EndpointFilter.parse(List.of("0.0.0.0/0", "!not-an-ip", "10.0.0.0/33"), "KubeSpanConfig.endpointFilters");
        assertEquals(2, f.errors().size());
        assertTrue(f.errors().get(0).contains("KubeSpanConfig.endpointFilters"));
        assertTrue(f.errors().get(0).contains("not-an-ip"));
        assertEquals(ips("10.0.0.5", "192.168.1.10", "10.1.2.3", "203.0.113.7"), f.apply(CANDIDATES));
    }
}
