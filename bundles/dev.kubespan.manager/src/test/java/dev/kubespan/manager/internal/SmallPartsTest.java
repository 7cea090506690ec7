package dev.kubespan.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.PeerState;

public class SmallPartsTest {
    private static final Endpoint X = Endpoint.parse("192.0.2.1:51820");
    private static final Endpoint Y = Endpoint.parse("198.51.100.9:40000");

    private static KubeSpanPeerStatus status(String endpoint, String lastUsed) {
        return new KubeSpanPeerStatus(endpoint, "l", PeerState.UNKNOWN, 0, 0, null, lastUsed, null);
    }

    @Test
    public void endpointChoice() {
        assertNull("no status", EndpointChoice.choose(null, null));
        assertNull("nothing chosen yet", EndpointChoice.choose(status("", ""), null));
        assertEquals("chosen, WireGuard has none yet", X, EndpointChoice.choose(status("", "192.0.2.1:51820"), null));
        assertEquals("chosen and in use", X, EndpointChoice.choose(status("192.0.2.1:51820", "192.0.2.1:51820"), X));
        assertNull("roamed", EndpointChoice.choose(status("198.51.100.9:40000", "192.0.2.1:51820"), Y));
        assertNull("roamed, device lost it meanwhile", EndpointChoice.choose(status("198.51.100.9:40000", "192.0.2.1:51820"), null));
        assertNull("device moved on since the status", EndpointChoice.choose(status("192.0.2.1:51820", "192.0.2.1:51820"), Y));
        assertEquals("same endpoint, other spelling", Endpoint.parse("[2001:db8::1]:51820"),
                EndpointChoice.choose(status("[2001:DB8:0::1]:51820", "[2001:db8::1]:51820"), null));
        assertNull("unparsable lastUsedEndpoint", EndpointChoice.choose(status("", "nonsense"), null));
    }

    @Test
    public void controlPlanePorts() {
        assertEquals(443, ControlPlanePorts.port("discovery.talos.dev:443", false));
        assertEquals(3000, ControlPlanePorts.port("10.0.0.1:3000", true));
        assertEquals(3000, ControlPlanePorts.port("[fd00::1]:3000", false));
        assertEquals(443, ControlPlanePorts.port("discovery.talos.dev", false));
        assertEquals(80, ControlPlanePorts.port("discovery.local", true));
        assertEquals(-1, ControlPlanePorts.port("fd00::1", false));
        assertEquals(-1, ControlPlanePorts.port("host:http", false));
        assertEquals(-1, ControlPlanePorts.port("host:70000", false));
        assertEquals(-1, ControlPlanePorts.port("", false));

        RecordingLog log = new RecordingLog();
        DiscoveryConfig c = new DiscoveryConfig(true, false, List.of(new DiscoveryServiceEndpoint("a", "x:443", false),
                new DiscoveryServiceEndpoint("b", "y:443", false), new DiscoveryServiceEndpoint("c", "z:bad", false)),
                "", "");
        assertEquals(Set.of(443), ControlPlanePorts.of(c, log));
        assertTrue(log.warned("z:bad"));
        assertEquals(Set.of(), ControlPlanePorts.of(null, log));
    }

    @Test
    public void ulaRecognition() {
        assertTrue(Ula.isKubeSpan(IpLiterals.parse("fd7f:175a:b97c:5602::1")));
        assertFalse(Ula.isKubeSpan(IpLiterals.parse("fd7f:175a:b97c:5603::1")));
        assertTrue(Ula.isSideroLink(IpLiterals.parse("fd7f:175a:b97c:5603::1")));
        assertFalse(Ula.isKubeSpan(IpLiterals.parse("fc7f:175a:b97c:5602::1")));
        assertFalse(Ula.isKubeSpan(IpLiterals.parse("10.0.0.2")));
    }

    @Test
    public void routingPlanLeavesOutKubeSpanUlasAndCoalesces() {
        RoutingPlan plan = RoutingPlan.of(List.of(IpPrefix.parse("10.0.0.0/32"), IpPrefix.parse("10.0.0.1/32"),
                IpPrefix.parse("fd7f:175a:b97c:5602::1/128"), IpPrefix.parse("fd7f:175a:b97c:5603::1/128")),
                Set.of(), 1420);
        assertEquals(List.of("10.0.0.0/31", "fd7f:175a:b97c:5603::1/128"),
                plan.routes().stream().map(r -> r.destination().toString()).toList());
        assertEquals(2, plan.forceRules().size());
        assertEquals(List.of(), plan.exemptRules());
    }
}
