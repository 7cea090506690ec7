package dev.kubespan.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class UlaAddressTest {

    // docs/kubespan-node.md §3.3, vector 1 (Talos' own unit test)
    @Test
    public void talosVector() {
        UlaAddress.NodeAddress a = UlaAddress.kubeSpan("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=",
                Eui64.parseMac("ea:71:1b:b2:cc:ee"));
        assertEquals("fd7f:175a:b97c:5602::/64", a.subnet().toString());
        assertEquals("fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128", a.address().toString());
    }

    // docs/kubespan-node.md §3.3, vector 2 (standard-alphabet cluster ID; the U/L flip sets 0x02)
    @Test
    public void secondVector() {
        UlaAddress.NodeAddress a = UlaAddress.kubeSpan("MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
                Eui64.parseMac("00:00:5e:00:53:01"));
        assertEquals("fd62:679f:48cb:8002::/64", a.subnet().toString());
        assertEquals("fd62:679f:48cb:8002:200:5eff:fe00:5301/128", a.address().toString());
    }

    @Test
    public void subnetAloneMatchesTheAddressPrefix() {
        assertEquals("fd7f:175a:b97c:5602::/64",
                UlaAddress.kubeSpanSubnet("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=").toString());
    }

    @Test
    public void purposeByteIsByteSevenAndFirstByteIsFd() {
        byte[] p = UlaAddress.prefix("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=", (byte) 0x03);
        assertEquals((byte) 0xfd, p[0]);
        assertEquals((byte) 0x03, p[7]);
        // bytes 1..6 are H[17..22]: 7f 17 5a b9 7c 56 per the spec's worked digest
        assertEquals((byte) 0x7f, p[1]);
        assertEquals((byte) 0x56, p[6]);
        for (int i = 8; i < 16; i++) {
            assertEquals(0, p[i]);
        }
    }

    @Test
    public void clusterIdIsHashedAsTextNotDecoded() {
        // Same 32 bytes in URL-safe and standard base64 give different subnets, as on Talos.
        String urlSafe = "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=";
        String standard = "8XuV9TZHW08DOk3bVxQjH9ih/TBKjnh+j44tsCLSBzo=";
        org.junit.Assert.assertNotEquals(UlaAddress.kubeSpanSubnet(urlSafe), UlaAddress.kubeSpanSubnet(standard));
    }

    @Test
    public void eui64MacIsUsedWholeWithTheUniversalLocalBitFlipped() {
        UlaAddress.NodeAddress a = UlaAddress.kubeSpan("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=",
                Eui64.parseMac("02:11:22:33:44:55:66:77"));
        assertEquals("fd7f:175a:b97c:5602:11:2233:4455:6677/128", a.address().toString());
    }

    @Test
    public void otherMacLengthsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UlaAddress.kubeSpan("x", new byte[20]));
        assertEquals("hardware address must be 6 (EUI-48) or 8 (EUI-64) bytes, got 20", e.getMessage());
    }
}
