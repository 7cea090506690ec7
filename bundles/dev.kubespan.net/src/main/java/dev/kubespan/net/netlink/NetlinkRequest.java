package dev.kubespan.net.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one netlink message: the family's fixed header (written field by field), then
 * attributes and nests. Integers are in host byte order, as netlink wants; IP addresses and
 * other byte strings go in as given. The nlmsghdr (length, sequence, port id) is filled in by
 * {@link #encode}, so a request can be built once and sent with any sequence number.
 *
 * <p>Not thread-safe: build on one thread, then hand it over.
 */
public final class NetlinkRequest {
    private final int type;
    private final int flags;
    private final String description;
    private ByteBuffer body = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> openNests = new ArrayDeque<>();
    private boolean attributesStarted;

    /**
     * @param type nlmsg_type (an RTM_* value, or a generic netlink family id)
     * @param flags NLM_F_* flags; NLM_F_REQUEST is always added, and NLM_F_ACK unless the
     *     request is a dump, because {@link NetlinkSocket} needs the ACK to know a request is done
     * @param description what the request does, for error messages ({@code "create link kubespan"})
     */
    public NetlinkRequest(int type, int flags, String description) {
        this.type = type;
        boolean dump = (flags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        this.flags = flags | Netlink.NLM_F_REQUEST | (dump ? 0 : Netlink.NLM_F_ACK);
        this.description = description;
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public String description() {
        return description;
    }

    /** True when the kernel answers with a multi-part dump ending in NLMSG_DONE. */
    public boolean isDump() {
        return (flags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
    }

    // ---- fixed (family) header ----

    public NetlinkRequest u8(int value) {
        headerField();
        ensure(1).put((byte) value);
        return this;
    }

    public NetlinkRequest u16(int value) {
        headerField();
        ensure(2).putShort((short) value);
        return this;
    }

    public NetlinkRequest u32(long value) {
        headerField();
        ensure(4).putInt((int) value);
        return this;
    }

    public NetlinkRequest bytes(byte[] value) {
        headerField();
        ensure(value.length).put(value);
        return this;
    }

    // ---- attributes ----

    public NetlinkRequest attr(int attrType, byte[] value) {
        startAttributes();
        int length = Netlink.NLA_HDRLEN + value.length;
        ensure(Netlink.align(length));
        body.putShort((short) length).putShort((short) attrType).put(value);
        pad();
        return this;
    }

    public NetlinkRequest attrU8(int attrType, int value) {
        return attr(attrType, new byte[] {(byte) value});
    }

    public NetlinkRequest attrU16(int attrType, int value) {
        return attr(attrType, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
    }

    public NetlinkRequest attrU32(int attrType, long value) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) value).array());
    }

    public NetlinkRequest attrU64(int attrType, long value) {
        return attr(attrType, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
    }

    /** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING both accept it). */
    public NetlinkRequest attrString(int attrType, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(s, s.length + 1));
    }

    /** Opens a nested attribute (NLA_F_NESTED set); close it with {@link #endNest()}. */
    public NetlinkRequest beginNest(int attrType) {
        startAttributes();
        ensure(Netlink.NLA_HDRLEN);
        openNests.push(body.position());
        body.putShort((short) 0).putShort((short) (attrType | Netlink.NLA_F_NESTED));
        return this;
    }

    public NetlinkRequest endNest() {
        if (openNests.isEmpty()) {
            throw new IllegalStateException("endNest without beginNest");
        }
        int start = openNests.pop();
        body.putShort(start, (short) (body.position() - start));
        return this;
    }

    /** The complete message with its nlmsghdr. */
    public byte[] encode(int seq, int portId) {
        if (!openNests.isEmpty()) {
            throw new IllegalStateException("unclosed nest in " + description);
        }
        int bodyLength = Netlink.align(body.position());
        int length = Netlink.NLMSG_HDRLEN + bodyLength;
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        out.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
        out.put(body.array(), 0, body.position());
        return out.array();
    }

    private void headerField() {
        if (attributesStarted) {
            throw new IllegalStateException("fixed header fields must come before attributes");
        }
    }

    private void startAttributes() {
        if (!attributesStarted) {
            attributesStarted = true;
            pad();
        }
    }

    private void pad() {
        int aligned = Netlink.align(body.position());
        ensure(aligned - body.position());
        while (body.position() < aligned) {
            body.put((byte) 0);
        }
    }

    private ByteBuffer ensure(int more) {
        if (body.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(body.capacity() * 2, body.position() + more))
                    .order(ByteOrder.nativeOrder());
            bigger.put(body.array(), 0, body.position());
            body = bigger;
        }
        return body;
    }
}
