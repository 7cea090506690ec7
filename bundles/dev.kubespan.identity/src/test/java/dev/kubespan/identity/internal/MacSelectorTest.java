package dev.kubespan.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.LinkInfo;

public class MacSelectorTest {
    private static final int LOOPBACK = 772;
    private static final int NONE = 65534;

    static LinkInfo link(String name, String kind, int type, String mac) {
        return new LinkInfo(name.hashCode() & 0xffff, name, kind, type, mac, true, 1500);
    }

    private static final LinkInfo LO = link("lo", "", LOOPBACK, "00:00:00:00:00:00");

    @Test
    public void firstPhysicalByNameWins() {
        MacSelector.Choice c = MacSelector.choose(List.of(LO,
                link("veth0", "veth", 1, "02:00:00:00:00:01"),
                link("eth1", "", 1, "52:54:00:00:00:11"),
                link("br0", "bridge", 1, "02:00:00:00:00:02"),
                link("enp0s3", "", 1, "52:54:00:00:00:03"),
                link("eth0", "", 1, "52:54:00:00:00:10")), "");
        assertEquals("enp0s3", c.link().name());
        assertEquals(MacSelector.Rule.PHYSICAL, c.rule());
        assertEquals("52:54:00:00:00:03", Eui64.format(c.mac()));
    }

    @Test
    public void vethOnlyFallsBackToFirstEthernetTypeByName() {
        MacSelector.Choice c = MacSelector.choose(List.of(LO,
                link("veth-b", "veth", 1, "02:00:00:00:00:0b"),
                link("veth-a", "veth", 1, "02:00:00:00:00:0a"),
                link("tun0", "tun", NONE, "")), null);
        assertEquals("veth-a", c.link().name());
        assertEquals(MacSelector.Rule.FALLBACK, c.rule());
        assertEquals("no physical Ethernet link; the first Ethernet-type link (kind veth) veth-a (02:00:00:00:00:0a)",
                c.describe());
    }

    @Test
    public void fallbackSkipsZeroAndMulticastMacs() {
        MacSelector.Choice c = MacSelector.choose(List.of(
                link("a0", "veth", 1, "00:00:00:00:00:00"),
                link("a1", "macvlan", 1, "01:00:5e:00:00:01"),
                link("a2", "veth", 1, "02:00:00:00:00:02")), "");
        assertEquals("a2", c.link().name());
    }

    @Test
    public void neverLoEvenIfItClaimsEthernet() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MacSelector.choose(List.of(link("lo", "", 1, "00:00:00:00:00:00"),
                        link("tun0", "tun", NONE, "")), ""));
        assertEquals("no Ethernet link with a usable hardware address among [lo, tun0]", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MacSelector.choose(List.of(link("lo", "", 1, "02:00:00:00:00:01")), ""));
    }

    @Test
    public void physicalWithZeroMacIsPassedOver() {
        MacSelector.Choice c = MacSelector.choose(List.of(link("eth0", "", 1, "00:00:00:00:00:00"),
                link("eth1", "", 1, "52:54:00:00:00:11")), "");
        assertEquals("eth1", c.link().name());
        assertEquals(MacSelector.Rule.PHYSICAL, c.rule());
    }

    @Test
    public void overrideNamesTheLink() {
        MacSelector.Choice c = MacSelector.choose(List.of(link("eth0", "", 1, "52:54:00:00:00:10"),
                link("veth9", "veth", 1, "02:00:00:00:00:09")), " veth9 ");
        assertEquals("veth9", c.link().name());
        assertEquals(MacSelector.Rule.CONFIGURED, c.rule());
    }

    @Test
    public void overrideAcceptsEui64() {
        MacSelector.Choice c = MacSelector.choose(List.of(link("ib0", "", 32, "02:11:22:33:44:55:66:77")), "ib0");
        assertEquals(8, c.mac().length);
    }

    @Test
    public void overrideErrors() {
        List<LinkInfo> links = List.of(LO, link("eth0", "", 1, "52:54:00:00:00:10"), link("tun0", "tun", NONE, ""),
                link("ib1", "", 32, "80:00:00:48:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01"));
        assertEquals("configured link 'eth9' does not exist",
                assertThrows(IllegalArgumentException.class, () -> MacSelector.choose(links, "eth9")).getMessage());
        assertEquals("configured link 'tun0' has no usable hardware address: empty hardware address",
                assertThrows(IllegalArgumentException.class, () -> MacSelector.choose(links, "tun0")).getMessage());
        assertEquals("configured link 'lo' has an all-zero hardware address",
                assertThrows(IllegalArgumentException.class, () -> MacSelector.choose(links, "lo")).getMessage());
        assertEquals("configured link 'ib1' has no usable hardware address: hardware address must be 6 (EUI-48) "
                + "or 8 (EUI-64) bytes, got 20",
                assertThrows(IllegalArgumentException.class, () -> MacSelector.choose(links, "ib1")).getMessage());
    }
}
