package dev.kubespan.api.spec;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

public class AffiliatesTest {

    @Test
    public void mergeFollowsTalosRules() {
        Affiliate k8s = new Affiliate("n1", List.of("10.0.0.1"), "h1", "node1", "Talos", "worker",
                new AffiliateKubeSpan("pk", "fd00::1", List.of("10.244.0.0/24"), List.of("10.0.0.1:51820"), List.of()),
                null);
        Affiliate service = new Affiliate("n1", List.of("10.0.0.1", "192.0.2.1"), "", "node1-renamed", "Other", "unknown",
                new AffiliateKubeSpan("", "", List.of(), List.of("192.0.2.1:51820", "10.0.0.1:51820"),
                        List.of("10.9.0.0/16")),
                new ControlPlane(6443));
        Affiliate m = Affiliates.mergeAll(List.of(k8s, service));
        assertEquals(List.of("10.0.0.1", "192.0.2.1"), m.addresses());
        assertEquals("h1", m.hostname()); // empty does not overwrite
        assertEquals("node1-renamed", m.nodename());
        assertEquals("Talos", m.operatingSystem()); // never merged
        assertEquals("worker", m.machineType()); // unknown does not overwrite
        assertEquals("pk", m.kubespan().publicKey());
        assertEquals("fd00::1", m.kubespan().address());
        assertEquals(List.of("10.0.0.1:51820", "192.0.2.1:51820"), m.kubespan().endpoints());
        assertEquals(List.of("10.9.0.0/16"), m.kubespan().excludeAdvertisedNetworks());
        assertEquals(6443, m.controlPlane().port());
    }
}
