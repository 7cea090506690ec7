package dev.kubespan.nat.internal.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * TURN ChannelData (RFC 8656 §12.4): a 4-byte header (channel number 0x4000-0x4FFF, length) and
 * the application data, 4 bytes of overhead instead of a Send/Data indication's 36.
 */
public final class ChannelData {
    public static final int FIRST_CHANNEL = 0x4000;
    public static final int LAST_CHANNEL = 0x4FFF;

    public record Frame(int channel, byte[] data) {
    }

    private ChannelData() {
    }

    public static boolean looksLike(byte[] d, int length) {
        return length >= 4 && (d[0] & 0xc0) == 0x40;
    }

    public static byte[] encode(int channel, byte[] data, int offset, int length) {
        return ByteBuffer.allocate(4 + length).putShort((short) channel).putShort((short) length).put(data, offset, length)
                .array();
    }

    /** Over UDP the frame may carry padding after the data (§12.5): it is ignored. */
    public static Frame decode(byte[] d, int length) {
        if (!looksLike(d, length)) {
            throw new StunFormatException("not ChannelData (" + length + " bytes)");
        }
        int channel = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
        int dataLength = ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        if (channel > LAST_CHANNEL) {
            throw new StunFormatException("channel 0x" + Integer.toHexString(channel) + " outside 0x4000-0x4FFF");
        }
        if (4 + dataLength > length) {
            throw new StunFormatException("ChannelData length " + dataLength + " but " + (length - 4) + " bytes follow");
        }
        return new Frame(channel, Arrays.copyOfRange(d, 4, 4 + dataLength));
    }

    public static int channelOf(ByteBuffer b) {
        return b.getShort(0) & 0xffff;
    }
}
