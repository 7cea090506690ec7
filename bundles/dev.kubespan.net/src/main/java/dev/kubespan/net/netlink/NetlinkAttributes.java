package dev.kubespan.net.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import dev.kubespan.api.net.NetworkException;

/**
 * A parsed run of netlink attributes (TLVs), in the order received. Attribute types are stored
 * without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. A truncated or overlong attribute makes
 * the whole run invalid: network data is never trusted.
 */
public final class NetlinkAttributes {
    public static final NetlinkAttributes EMPTY = new NetlinkAttributes(List.of());

    /** One attribute. The typed getters check the length and throw on a mismatch. */
    public record Attribute(int type, boolean nested, byte[] value) {

        public int u8() {
            expect(1);
            return value[0] & 0xff;
        }

        public int u16() {
            expect(2);
            return Short.toUnsignedInt(buffer().getShort());
        }

        /** The u32 as its bit pattern. */
        public int u32() {
            expect(4);
            return buffer().getInt();
        }

        public long u32Unsigned() {
            return Integer.toUnsignedLong(u32());
        }

        public long u64() {
            expect(8);
            return buffer().getLong();
        }

        /** The string up to its first NUL (a missing NUL is accepted). */
        public String string() {
            int end = 0;
            while (end < value.length && value[end] != 0) {
                end++;
            }
            return new String(value, 0, end, StandardCharsets.UTF_8);
        }

        public byte[] bytes() {
            return value.clone();
        }

        public NetlinkAttributes nest() {
            return NetlinkAttributes.parse(value, 0, value.length);
        }

        private ByteBuffer buffer() {
            return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        }

        private void expect(int length) {
            if (value.length != length) {
                throw new NetworkException("netlink attribute " + type + " has " + value.length
                        + " bytes, expected " + length, 0);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attribute a && a.type == type && a.nested == nested && Arrays.equals(a.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Attribute[type=" + type + (nested ? ", nested" : "") + ", " + value.length + " bytes]";
        }
    }

    private final List<Attribute> attributes;

    private NetlinkAttributes(List<Attribute> attributes) {
        this.attributes = attributes;
    }

    /** Walks the TLVs in {@code data[offset, offset+length)}. */
    public static NetlinkAttributes parse(byte[] data, int offset, int length) {
        List<Attribute> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(data, offset, length).order(ByteOrder.nativeOrder());
        int end = offset + length;
        while (end - b.position() >= Netlink.NLA_HDRLEN) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort());
            int rawType = Short.toUnsignedInt(b.getShort());
            if (len < Netlink.NLA_HDRLEN || start + len > end) {
                throw new NetworkException("malformed netlink attribute: type " + (rawType & Netlink.NLA_TYPE_MASK)
                        + " claims " + len + " bytes with " + (end - start) + " left", 0);
            }
            byte[] value = Arrays.copyOfRange(data, start + Netlink.NLA_HDRLEN, start + len);
            out.add(new Attribute(rawType & Netlink.NLA_TYPE_MASK, (rawType & Netlink.NLA_F_NESTED) != 0, value));
            b.position(Math.min(end, start + Netlink.align(len)));
        }
        return new NetlinkAttributes(List.copyOf(out));
    }

    public List<Attribute> all() {
        return attributes;
    }

    /** Every attribute of this type (repeated attributes, or the elements of a netlink list nest). */
    public List<Attribute> all(int type) {
        return attributes.stream().filter(a -> a.type() == type).toList();
    }

    /** The first attribute of this type. */
    public Optional<Attribute> get(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    public boolean has(int type) {
        return get(type).isPresent();
    }

    public Optional<String> string(int type) {
        return get(type).map(Attribute::string);
    }

    public OptionalInt u8(int type) {
        Optional<Attribute> a = get(type);
        return a.isPresent() ? OptionalInt.of(a.get().u8()) : OptionalInt.empty();
    }

    public OptionalInt u16(int type) {
        Optional<Attribute> a = get(type);
        return a.isPresent() ? OptionalInt.of(a.get().u16()) : OptionalInt.empty();
    }

    /** A u32 as its unsigned value. */
    public OptionalLong u32(int type) {
        Optional<Attribute> a = get(type);
        return a.isPresent() ? OptionalLong.of(a.get().u32Unsigned()) : OptionalLong.empty();
    }

    public OptionalLong u64(int type) {
        Optional<Attribute> a = get(type);
        return a.isPresent() ? OptionalLong.of(a.get().u64()) : OptionalLong.empty();
    }

    public Optional<byte[]> bytes(int type) {
        return get(type).map(Attribute::bytes);
    }

    public Optional<NetlinkAttributes> nest(int type) {
        return get(type).map(Attribute::nest);
    }

    public boolean isEmpty() {
        return attributes.isEmpty();
    }

    @Override
    public String toString() {
        return attributes.toString();
    }
}
