package dev.kubespan.net.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.kubespan.api.net.NetworkException;

/** One received netlink message: its nlmsghdr fields and the payload after the header. */
public record NetlinkMessage(int type, int flags, int seq, int portId, byte[] payload) {

    /** Splits a received datagram into its messages. */
    public static List<NetlinkMessage> parseAll(byte[] datagram, int length) {
        List<NetlinkMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
        while (b.remaining() >= Netlink.NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt();
            if (len < Netlink.NLMSG_HDRLEN || len > length - start) {
                throw new NetworkException("malformed netlink message: length " + len + " at offset " + start
                        + " of a " + length + "-byte datagram", 0);
            }
            int type = Short.toUnsignedInt(b.getShort());
            int flags = Short.toUnsignedInt(b.getShort());
            int seq = b.getInt();
            int portId = b.getInt();
            byte[] payload = Arrays.copyOfRange(datagram, start + Netlink.NLMSG_HDRLEN, start + len);
            out.add(new NetlinkMessage(type, flags, seq, portId, payload));
            b.position(Math.min(length, start + Netlink.align(len)));
        }
        return out;
    }

    /** The payload as a native-order buffer positioned at 0. */
    public ByteBuffer body() {
        return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }

    /** The attributes after a fixed family header of {@code headerLength} bytes. */
    public NetlinkAttributes attributes(int headerLength) {
        int start = Netlink.align(headerLength);
        if (start > payload.length) {
            throw new NetworkException("netlink message type " + type + " is shorter (" + payload.length
                    + " bytes) than its " + headerLength + "-byte header", 0);
        }
        return NetlinkAttributes.parse(payload, start, payload.length - start);
    }

    public boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    /** The s32 error of an NLMSG_ERROR (0 = ACK, otherwise a negative errno) or NLMSG_DONE. */
    public int error() {
        return payload.length >= 4 ? body().getInt(0) : 0;
    }

    /**
     * The extended-ack attributes (NLMSGERR_ATTR_*) of an NLMSG_ERROR or NLMSG_DONE, or an empty
     * set when the kernel sent none.
     */
    public NetlinkAttributes extendedAck() {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0) {
            return NetlinkAttributes.EMPTY;
        }
        int start;
        if (type == Netlink.NLMSG_DONE) {
            start = 4;
        } else {
            // error + echoed request: the header only when capped, else the whole request
            int echoed = Netlink.NLMSG_HDRLEN;
            if ((flags & Netlink.NLM_F_CAPPED) == 0 && payload.length >= 8) {
                echoed = Netlink.align(body().getInt(4));
            }
            start = 4 + echoed;
        }
        if (start >= payload.length) {
            return NetlinkAttributes.EMPTY;
        }
        return NetlinkAttributes.parse(payload, start, payload.length - start);
    }

    /** The kernel's ext-ack message text, or empty. */
    public String extendedAckMessage() {
        return extendedAck().string(Netlink.NLMSGERR_ATTR_MSG).orElse("");
    }
}
