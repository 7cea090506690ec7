package dev.kubespan.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import dev.kubespan.test.RecordingLog;

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

    private static final java.time.Instant T1 = java.time.Instant.parse("2026-01-01T00:00:00Z");
    private static final dev.kubespan.api.wireguard.Key PEER = dev.kubespan.api.wireguard.Key.generatePrivateKey()
            .publicKey();

    private static KubeSpanPeerStatus status(String endpoint, String lastUsed, PeerState state, java.time.Instant at) {
        return new KubeSpanPeerStatus(endpoint, "l", state, 0, 0, null, lastUsed, at);
    }

    @Test
    public void endpointDecisions() {
        EndpointDecisions d = new EndpointDecisions();
        d.begin();
        assertNull("nothing decided yet", d.endpoint(PEER, status("", "", PeerState.UNKNOWN, null), false, null));
        assertEquals("a decision for a new peer", X, d.endpoint(PEER, status("", "192.0.2.1:51820", PeerState.UNKNOWN, T1),
                false, null));
        d.applied();
        d.begin();
        assertNull("the same decision is not written twice, whatever the device has",
                d.endpoint(PEER, status("198.51.100.9:40000", "192.0.2.1:51820", PeerState.UP, T1), true, Y));
        d.applied();
        d.begin();
        assertEquals("a new decision is written", Y, d.endpoint(PEER,
                status("", "198.51.100.9:40000", PeerState.UNKNOWN, T1.plusSeconds(15)), true, X));
        // not applied (the apply failed): the next pass writes it again
        d.begin();
        assertEquals(Y, d.endpoint(PEER, status("", "198.51.100.9:40000", PeerState.UNKNOWN, T1.plusSeconds(15)), true,
                X));
        assertNull("unparsable lastUsedEndpoint", new EndpointDecisions().endpoint(PEER,
                status("", "nonsense", PeerState.UNKNOWN, T1), false, null));
        EndpointDecisions fresh = new EndpointDecisions();
        fresh.begin();
        assertNull("first look: the device already has it", fresh.endpoint(PEER,
                status("192.0.2.1:51820", "192.0.2.1:51820", PeerState.DOWN, T1), true, X));
        assertNull("first look: up on a roamed endpoint", fresh.endpoint(PEER,
                status("198.51.100.9:40000", "192.0.2.1:51820", PeerState.UP, T1), true, Y));
        assertEquals("first look: down elsewhere", X, fresh.endpoint(PEER,
                status("198.51.100.9:40000", "192.0.2.1:51820", PeerState.DOWN, T1), true, Y));
        assertEquals("same endpoint, other spelling", Endpoint.parse("[2001:db8::1]:51820"), fresh.endpoint(PEER,
                status("", "[2001:DB8:0::1]:51820", PeerState.UNKNOWN, T1), false, null));
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
