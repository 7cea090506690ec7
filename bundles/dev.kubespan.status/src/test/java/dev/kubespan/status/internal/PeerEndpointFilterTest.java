package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;

public class PeerEndpointFilterTest {
    private static final List<Endpoint> CANDIDATES = eps("[2001:db8::1]:51820", "10.0.0.5:51820",
            "192.168.1.7:51820", "[fd00::7]:51820", "203.0.113.9:51820", "10.0.0.5:4000");

    private static List<Endpoint> eps(String... texts) {
        return Stream.of(texts).map(Endpoint::parse).toList();
    }

    private static List<Endpoint> filter(String... rules) {
        PeerEndpointFilter f = PeerEndpointFilter.parse(List.of(rules));
        assertEquals(List.of(), f.errors());
        return f.apply(CANDIDATES);
    }

    @Test
    public void noRulesKeepsEverythingInOrder() {
        assertEquals(CANDIDATES, PeerEndpointFilter.parse(List.of()).apply(CANDIDATES));
        assertEquals(CANDIDATES, PeerEndpointFilter.parse(null).apply(CANDIDATES));
    }

    @Test
    public void resultIsOrderedByRule() {
        assertEquals(eps("10.0.0.5:51820", "192.168.1.7:51820", "203.0.113.9:51820", "10.0.0.5:4000",
                "[2001:db8::1]:51820", "[fd00::7]:51820"), filter("0.0.0.0/0", "::/0"));
    }

    @Test
    public void plainRuleKeepsOnlyMatches() {
        assertEquals(eps("10.0.0.5:51820", "10.0.0.5:4000"), filter("10.0.0.0/8"));
    }

    @Test
    public void bareIpIsAHostRule() {
        assertEquals(eps("203.0.113.9:51820"), filter("203.0.113.9"));
        assertEquals(eps("[fd00::7]:51820"), filter("fd00::7"));
    }

    @Test
    public void negativeRuleRemovesWhatWasGatheredSoFar() {
        assertEquals(eps("192.168.1.7:51820", "203.0.113.9:51820"), filter("0.0.0.0/0", "!10.0.0.0/8"));
        assertEquals(eps("[2001:db8::1]:51820"), filter("::/0", "!fd00::/8"));
    }

    @Test
    public void leadingNegativeRuleRemovesNothing() {
        assertEquals(List.of(), filter("!10.0.0.0/8"));
        assertEquals(eps("10.0.0.5:51820", "192.168.1.7:51820", "203.0.113.9:51820", "10.0.0.5:4000"),
                filter("!10.0.0.0/8", "0.0.0.0/0"));
    }

    @Test
    public void aLaterPlainRuleAddsBackWhatANegativeRemoved() {
        assertEquals(eps("192.168.1.7:51820", "203.0.113.9:51820", "10.0.0.5:51820", "10.0.0.5:4000"),
                filter("0.0.0.0/0", "!10.0.0.0/8", "10.0.0.0/24"));
    }

    @Test
    public void overlappingPlainRulesDoNotDuplicate() {
        assertEquals(eps("192.168.1.7:51820", "10.0.0.5:51820", "203.0.113.9:51820", "10.0.0.5:4000"),
                filter("192.168.0.0/16", "0.0.0.0/0"));
    }

    @Test
    public void badRulesAreReportedAndDropped() {
        PeerEndpointFilter f = PeerEndpointFilter.parse(List.of("10.0.0.0/33", "192.168.0.0/16", "bogus"));
        assertEquals(2, f.errors().size());
        assertTrue(f.errors().get(0), f.errors().get(0).contains("'10.0.0.0/33'"));
        assertTrue(f.errors().get(1), f.errors().get(1).contains("'bogus'"));
        assertEquals(eps("192.168.1.7:51820"), f.apply(CANDIDATES));
    }

    @Test
    public void aFilterWhoseEveryRuleIsBrokenLetsNothingThrough() {
        PeerEndpointFilter f = PeerEndpointFilter.parse(List.of("nonsense"));
        assertEquals(1, f.errors().size());
        assertEquals(List.of(), f.apply(CANDIDATES));
    }

    @Test
    public void acceptsASingleEndpoint() {
        PeerEndpointFilter f = PeerEndpointFilter.parse(List.of("0.0.0.0/0", "!10.0.0.0/8"));
        assertTrue(f.accepts(Endpoint.parse("203.0.113.9:1")));
        assertFalse(f.accepts(Endpoint.parse("10.1.2.3:1")));
        assertFalse(f.accepts(Endpoint.parse("[2001:db8::1]:1")));
        assertTrue(PeerEndpointFilter.NONE.accepts(Endpoint.parse("10.1.2.3:1")));
    }
}
