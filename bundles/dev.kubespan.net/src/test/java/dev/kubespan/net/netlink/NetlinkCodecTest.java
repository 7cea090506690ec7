package dev.kubespan.net.netlink;

import static dev.kubespan.test.Hex.hex;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteOrder;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.kubespan.api.net.NetworkException;

/** The message builder and attribute parser, byte for byte (vectors are x86-64 little-endian). */
public class NetlinkCodecTest {

    @BeforeClass
    public static void littleEndian() {
        org.junit.Assume.assumeTrue("vectors are little-endian", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    public void genlGetFamilyMatchesTheVerifiedLayout() {
        // docs/wireguard.md §6.3: type 0x10, REQUEST|ACK, genlmsghdr cmd 3 version 1, CTRL_ATTR_FAMILY_NAME
        byte[] expected = hex("20000000 1000 0500 07000000 00000000 | 03010000 | 0b000200 6e6c6374 726c0000");
        assertEquals(hex(expected), hex(GenlFamilyResolver.request("nlctrl").encode(7, 0)));
    }

    @Test
    public void attributesArePaddedAndNestsCarryTheirLengthAndFlag() {
        NetlinkRequest r = new NetlinkRequest(0x20, 0, "test").u8(1).u8(2) // 2-byte header gets padded
                .attrU8(1, 0xab)
                .beginNest(2).attrU16(3, 0x1234).attrString(4, "ab").endNest()
                .attrU64(5, 0x0102030405060708L);
        byte[] expected = hex("3c000000 2000 0500 01000000 2a000000 | 0102 0000"
                + "| 05000100 ab000000"
                + "| 14000280 06000300 34120000 07000400 61620000"
                + "| 0c000500 08070605 04030201");
        assertEquals(hex(expected), hex(r.encode(1, 42)));
    }

    @Test
    public void dumpRequestsGetNoAckFlag() {
        NetlinkRequest dump = new NetlinkRequest(18, Netlink.NLM_F_DUMP, "dump");
        assertTrue(dump.isDump());
        assertEquals(0x0301, dump.flags());
        assertEquals(0x0005, new NetlinkRequest(18, 0, "get").flags());
    }

    @Test
    public void headerFieldsAfterAttributesAreRejected() {
        NetlinkRequest r = new NetlinkRequest(1, 0, "x").attrU8(1, 1);
        assertThrows(IllegalStateException.class, () -> r.u8(1));
        assertThrows(IllegalStateException.class, () -> new NetlinkRequest(1, 0, "x").beginNest(1).encode(1, 0));
    }

    @Test
    public void parsesNestedAttributesAndTypedGetters() {
        byte[] body = hex("05000100 ab000000 | 14000280 06000300 34120000 07000400 61620000"
                + "| 0c000500 08070605 04030201 | 08000600 feffffff");
        NetlinkAttributes a = NetlinkAttributes.parse(body, 0, body.length);
        assertEquals(0xab, a.u8(1).getAsInt());
        NetlinkAttributes nest = a.nest(2).orElseThrow();
        assertTrue(a.get(2).orElseThrow().nested());
        assertEquals(0x1234, nest.u16(3).getAsInt());
        assertEquals("ab", nest.string(4).orElseThrow());
        assertEquals(0x0102030405060708L, a.u64(5).getAsLong());
        assertEquals(0xfffffffeL, a.u32(6).getAsLong());
        assertFalse(a.has(7));
        // wrong-size typed access is an error, not a silent misread
        assertThrows(NetworkException.class, () -> a.get(5).orElseThrow().u32());
    }

    @Test
    public void truncatedAttributeIsRejected() {
        byte[] body = hex("08000100 01000000 | 0c000200 0100");
        NetworkException e = assertThrows(NetworkException.class, () -> NetlinkAttributes.parse(body, 0, body.length));
        assertTrue(e.getMessage(), e.getMessage().contains("type 2"));
    }

    @Test
    public void splitsADatagramIntoMessages() {
        byte[] d = hex("14000000 0300 0200 05000000 d1360000 00000000"
                + "14000000 0300 0200 06000000 d1360000 00000000");
        List<NetlinkMessage> ms = NetlinkMessage.parseAll(d, d.length);
        assertEquals(2, ms.size());
        assertEquals(6, ms.get(1).seq());
        assertEquals(0x36d1, ms.get(1).portId());
        assertArrayEquals(new byte[4], ms.get(0).payload());
        assertThrows(NetworkException.class, () -> NetlinkMessage.parseAll(d, d.length - 4));
    }
}
