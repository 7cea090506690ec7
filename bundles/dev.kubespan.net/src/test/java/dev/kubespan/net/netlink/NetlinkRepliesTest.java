package dev.kubespan.net.netlink;

import static dev.kubespan.test.Hex.hex;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteOrder;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.kubespan.api.net.NetworkException;
import dev.kubespan.net.internal.LinkMessages;

/** Reply handling against replies recorded from the real kernel (see NetlinkFixtureRecorder). */
public class NetlinkRepliesTest {

    @BeforeClass
    public static void littleEndian() {
        org.junit.Assume.assumeTrue("fixtures are little-endian", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    private static NetlinkReplies feed(NetlinkRequest request, String fixture) {
        NetlinkReplies replies = new NetlinkReplies(request, 1);
        for (NetlinkMessage m : HexFixture.messages(fixture)) {
            if (replies.accept(m)) {
                break;
            }
        }
        return replies;
    }

    @Test
    public void errorWithExtendedAckBecomesNetworkExceptionWithErrnoTextAndKernelMessage() {
        NetworkException e = assertThrows(NetworkException.class,
                () -> feed(LinkMessages.create("ks-dummy0", "dummy"), "error-unknown-device-type"));
        assertEquals(95, e.errno());
        assertEquals("create link ks-dummy0 of kind dummy: Operation not supported (EOPNOTSUPP, errno 95): "
                + "Unknown device type", e.getMessage());
    }

    @Test
    public void extendedAckIsFoundAfterTheCappedEcho() {
        NetlinkMessage m = HexFixture.messages("error-unknown-device-type").get(0);
        assertTrue(m.isError());
        assertEquals(Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, m.flags());
        assertEquals(-95, m.error());
        assertEquals("Unknown device type", m.extendedAckMessage());
    }

    @Test
    public void errorWithoutExtendedAck() {
        NetworkException e = assertThrows(NetworkException.class,
                () -> feed(LinkMessages.create("ks-br0", "bridge"), "error-link-exists"));
        assertEquals(17, e.errno());
        assertEquals("create link ks-br0 of kind bridge: File exists (EEXIST, errno 17)", e.getMessage());
    }

    @Test
    public void multiPartDumpCollectsUntilDone() {
        List<byte[]> datagrams = HexFixture.datagrams("link-dump");
        assertEquals("the recorded dump spans two datagrams", 2, datagrams.size());
        NetlinkReplies replies = new NetlinkReplies(LinkMessages.dump(), 1);
        List<NetlinkMessage> first = NetlinkMessage.parseAll(datagrams.get(0), datagrams.get(0).length);
        for (NetlinkMessage m : first) {
            assertFalse(replies.accept(m));
            assertTrue((m.flags() & Netlink.NLM_F_MULTI) != 0);
        }
        assertFalse(replies.isComplete());
        NetlinkMessage done = NetlinkMessage.parseAll(datagrams.get(1), datagrams.get(1).length).get(0);
        assertTrue(done.isDone());
        assertTrue(replies.accept(done));
        assertEquals(2, replies.messages().size());
        assertFalse(replies.isInterrupted());
    }

    @Test
    public void getRepliesComeBeforeTheAck() {
        NetlinkReplies replies = feed(LinkMessages.get("ks-br0"), "link-get-bridge");
        assertTrue(replies.isComplete());
        assertEquals(1, replies.messages().size());
        assertEquals(16, replies.messages().get(0).type());
    }

    @Test
    public void messagesOfOtherSequenceNumbersAreIgnored() {
        NetlinkReplies replies = new NetlinkReplies(LinkMessages.dump(), 2);
        for (NetlinkMessage m : HexFixture.messages("link-dump")) {
            assertFalse(replies.accept(m));
        }
        assertTrue(replies.messages().isEmpty());
    }

    @Test
    public void negativeDoneAndInterruptedDumpsAreReported() {
        NetlinkReplies replies = new NetlinkReplies(LinkMessages.dump(), 1);
        byte[] d = hex("14000000 1000 1200 01000000 00000000 00000000" // NEWLINK with MULTI|DUMP_INTR
                + "14000000 0300 0200 01000000 00000000 f0ffffff"); // DONE -16
        List<NetlinkMessage> ms = NetlinkMessage.parseAll(d, d.length);
        assertFalse(replies.accept(ms.get(0)));
        assertTrue(replies.isInterrupted());
        NetworkException e = assertThrows(NetworkException.class, () -> replies.accept(ms.get(1)));
        assertEquals(16, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("Device or resource busy"));
    }

    @Test
    public void genlFamilyReplyDecodes() {
        NetlinkReplies replies = feed(GenlFamilyResolver.request("nlctrl"), "genl-family-nlctrl");
        GenlFamily f = GenlFamilyResolver.parse(replies.messages().get(0));
        assertEquals("nlctrl", f.name());
        assertEquals(16, f.id());
        assertEquals(2, f.version());
        assertEquals(Integer.valueOf(16), f.multicastGroups().get("notify"));
    }

    @Test
    public void missingGenlFamilyIsEnoent() {
        NetworkException e = assertThrows(NetworkException.class,
                () -> feed(GenlFamilyResolver.request("wireguard"), "genl-family-wireguard"));
        assertEquals(Errno.ENOENT, e.errno());
    }
}
