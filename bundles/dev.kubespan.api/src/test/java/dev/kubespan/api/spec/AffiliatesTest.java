package dev.kubespan.api.spec;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

public class AffiliatesTest {

    private static final Key KEY = Key.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    @Test
    public void mergeFollowsTalosRules() {
        Affiliate k8s = new Affiliate("n1", List.of("10.0.0.1"), "h1", "node1", "Talos", "worker",
                new AffiliateKubeSpan(KEY, IpLiterals.parse("fd00::1"), List.of(IpPrefix.parse("10.244.0.0/24")),
                        List.of(Endpoint.parse("10.0.0.1:51820")), List.of()),
                null);
        Affiliate service = new Affiliate("n1", List.of("10.0.0.1", "192.0.2.1"), "", "node1-renamed", "Other", "unknown",
                new AffiliateKubeSpan(KEY, null, List.of(),
                        List.of(Endpoint.parse("192.0.2.1:51820"), Endpoint.parse("10.0.0.1:51820")),
                        List.of(IpPrefix.parse("10.9.0.0/16"))),
                new ControlPlane(6443));
        Affiliate m = Affiliates.mergeAll(List.of(k8s, service));
        assertEquals(List.of("10.0.0.1", "192.0.2.1"), m.addresses());
        assertEquals("h1", m.hostname()); // empty does not overwrite
        assertEquals("node1-renamed", m.nodename());
        assertEquals("Talos", m.operatingSystem()); // never merged
        assertEquals("worker", m.machineType()); // unknown does not overwrite
        assertEquals(KEY, m.kubespan().publicKey());
        assertEquals("fd00::1", IpLiterals.format(m.kubespan().address())); // none does not overwrite
        assertEquals("[10.0.0.1:51820, 192.0.2.1:51820]", m.kubespan().endpoints().toString());
        assertEquals("[10.9.0.0/16]", m.kubespan().excludeAdvertisedNetworks().toString());
        assertEquals(6443, m.controlPlane().port());
    }
}
