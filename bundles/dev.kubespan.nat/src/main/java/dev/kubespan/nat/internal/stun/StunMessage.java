package dev.kubespan.nat.internal.stun;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A STUN message (RFC 8489 §5-§14) with the TURN methods and attributes of RFC 8656 that a relay
 * client needs. Immutable; {@link #encode(byte[])} adds MESSAGE-INTEGRITY (HMAC-SHA1, when a key
 * is given) and FINGERPRINT; {@link #decode} checks the header, the attribute layout and — when
 * present — the fingerprint, and rejects anything else with a {@link StunFormatException}.
 */
public final class StunMessage {
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER = 20;

    // methods
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;
    // classes
    public static final int REQUEST = 0x000;
    public static final int INDICATION = 0x010;
    public static final int SUCCESS = 0x100;
    public static final int ERROR = 0x110;

    // attributes
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int DATA_ATTR = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;

    private static final int FINGERPRINT_XOR = 0x5354554e;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One attribute: its type and raw value (without padding). */
    public record Attribute(int type, byte[] value) {
    }

    private final int method;
    private final int messageClass;
    private final byte[] transactionId;
    private final List<Attribute> attributes;
    /** The bytes this message was decoded from (null when built here): integrity is checked on them. */
    private final byte[] raw;

    private StunMessage(int method, int messageClass, byte[] transactionId, List<Attribute> attributes, byte[] raw) {
        this.method = method;
        this.messageClass = messageClass;
        this.transactionId = transactionId;
        this.attributes = List.copyOf(attributes);
        this.raw = raw;
    }

    public static StunMessage of(int method, int messageClass, byte[] transactionId, List<Attribute> attributes) {
        if (transactionId.length != 12) {
            throw new IllegalArgumentException("a transaction id has 12 bytes");
        }
        return new StunMessage(method, messageClass, transactionId.clone(), attributes, null);
    }

    public static byte[] newTransactionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    public int method() {
        return method;
    }

    public int messageClass() {
        return messageClass;
    }

    public byte[] transactionId() {
        return transactionId.clone();
    }

    public boolean is(int m, int c) {
        return method == m && messageClass == c;
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    public Optional<byte[]> attribute(int type) {
        return attributes.stream().filter(a -> a.type() == type).map(Attribute::value).findFirst();
    }

    public List<byte[]> all(int type) {
        return attributes.stream().filter(a -> a.type() == type).map(Attribute::value).toList();
    }

    public Optional<String> text(int type) {
        return attribute(type).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    public Optional<Integer> integer(int type) {
        return attribute(type).filter(v -> v.length == 4).map(v -> ByteBuffer.wrap(v).getInt());
    }

    /** An XOR-*-ADDRESS attribute, decoded with this message's transaction id. */
    public Optional<InetSocketAddress> address(int type) {
        return attribute(type).map(v -> xorAddress(v, transactionId));
    }

    /** ERROR-CODE as {@code code reason}, e.g. {@code 401 Unauthorized}. */
    public Optional<ErrorCode> errorCode() {
        return attribute(ERROR_CODE).map(v -> {
            if (v.length < 4) {
                throw new StunFormatException("ERROR-CODE of " + v.length + " bytes");
            }
            int code = (v[2] & 0x07) * 100 + (v[3] & 0xff);
            return new ErrorCode(code, new String(v, 4, v.length - 4, StandardCharsets.UTF_8));
        });
    }

    public record ErrorCode(int code, String reason) {
        @Override
        public String toString() {
            return code + (reason.isEmpty() ? "" : " " + reason);
        }
    }

    /** Encodes without MESSAGE-INTEGRITY, with FINGERPRINT. */
    public byte[] encode() {
        return encode(null);
    }

    /** Encodes, adding MESSAGE-INTEGRITY with {@code integrityKey} when it is not null, then FINGERPRINT. */
    public byte[] encode(byte[] integrityKey) {
        ByteBuffer body = ByteBuffer.allocate(65535);
        for (Attribute a : attributes) {
            putAttribute(body, a.type(), a.value());
        }
        byte[] msg = frame(body);
        if (integrityKey != null) {
            // the length field covers the MESSAGE-INTEGRITY attribute when the HMAC is computed (§14.5)
            setLength(msg, msg.length - HEADER + 24);
            byte[] hmac = hmacSha1(integrityKey, msg);
            putAttribute(body, MESSAGE_INTEGRITY, hmac);
            msg = frame(body);
        }
        setLength(msg, msg.length - HEADER + 8);
        CRC32 crc = new CRC32();
        crc.update(msg);
        putAttribute(body, FINGERPRINT, ByteBuffer.allocate(4).putInt((int) crc.getValue() ^ FINGERPRINT_XOR).array());
        return frame(body);
    }

    private byte[] frame(ByteBuffer body) {
        int length = body.position();
        ByteBuffer out = ByteBuffer.allocate(HEADER + length);
        out.putShort((short) type(method, messageClass)).putShort((short) length).putInt(MAGIC_COOKIE).put(transactionId);
        out.put(body.array(), 0, length);
        return out.array();
    }

    private static void setLength(byte[] msg, int length) {
        msg[2] = (byte) (length >> 8);
        msg[3] = (byte) length;
    }

    private static void putAttribute(ByteBuffer b, int type, byte[] value) {
        b.putShort((short) type).putShort((short) value.length).put(value);
        int pad = (4 - value.length % 4) % 4;
        b.put(new byte[pad]);
    }

    static int type(int method, int cls) {
        return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | (cls & 0x0110);
    }

    /** Whether a datagram looks like STUN at all (RFC 8489 §5: two zero bits, the cookie, a length in 4s). */
    public static boolean looksLikeStun(byte[] d, int length) {
        return length >= HEADER && (d[0] & 0xc0) == 0 && ByteBuffer.wrap(d, 4, 4).getInt() == MAGIC_COOKIE
                && (((d[2] & 0xff) << 8) | (d[3] & 0xff)) % 4 == 0;
    }

    public static StunMessage decode(byte[] d) {
        return decode(d, d.length);
    }

    public static StunMessage decode(byte[] d, int length) {
        if (!looksLikeStun(d, length)) {
            throw new StunFormatException("not a STUN message (" + length + " bytes)");
        }
        int declared = ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        if (declared + HEADER != length) {
            throw new StunFormatException("STUN length " + declared + " but " + (length - HEADER) + " bytes follow the header");
        }
        int t = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
        int cls = t & 0x0110;
        int method = (t & 0x000f) | ((t & 0x00e0) >> 1) | ((t & 0x3e00) >> 2);
        byte[] txid = Arrays.copyOfRange(d, 8, 20);
        List<Attribute> attrs = new ArrayList<>();
        int p = HEADER;
        boolean sawFingerprint = false;
        while (p < length) {
            if (p + 4 > length) {
                throw new StunFormatException("truncated attribute header at byte " + p);
            }
            int at = ((d[p] & 0xff) << 8) | (d[p + 1] & 0xff);
            int al = ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
            if (p + 4 + al > length) {
                throw new StunFormatException("attribute 0x" + Integer.toHexString(at) + " of " + al + " bytes overruns the message");
            }
            if (sawFingerprint) {
                throw new StunFormatException("attribute after FINGERPRINT");
            }
            if (at == FINGERPRINT) {
                if (al != 4) {
                    throw new StunFormatException("FINGERPRINT of " + al + " bytes");
                }
                CRC32 crc = new CRC32();
                crc.update(d, 0, p);
                int want = (int) crc.getValue() ^ FINGERPRINT_XOR;
                if (ByteBuffer.wrap(d, p + 4, 4).getInt() != want) {
                    throw new StunFormatException("FINGERPRINT does not match");
                }
                sawFingerprint = true;
            }
            attrs.add(new Attribute(at, Arrays.copyOfRange(d, p + 4, p + 4 + al)));
            p += 4 + al + (4 - al % 4) % 4;
        }
        return new StunMessage(method, cls, txid, attrs, Arrays.copyOf(d, length));
    }

    /** Checks MESSAGE-INTEGRITY of a decoded message against {@code key}; false when absent or wrong. */
    public boolean integrityMatches(byte[] key) {
        if (raw == null) {
            throw new IllegalStateException("only a decoded message has integrity to check");
        }
        int p = HEADER;
        while (p + 4 <= raw.length) {
            int at = ((raw[p] & 0xff) << 8) | (raw[p + 1] & 0xff);
            int al = ((raw[p + 2] & 0xff) << 8) | (raw[p + 3] & 0xff);
            if (at == MESSAGE_INTEGRITY) {
                if (al != 20) {
                    return false;
                }
                byte[] covered = Arrays.copyOf(raw, p);
                setLength(covered, p - HEADER + 24);
                return MessageDigest.isEqual(hmacSha1(key, covered), Arrays.copyOfRange(raw, p + 4, p + 24));
            }
            p += 4 + al + (4 - al % 4) % 4;
        }
        return false;
    }

    public static byte[] hmacSha1(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 unavailable", e);
        }
    }

    /** XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (RFC 8489 §14.2). */
    public static byte[] xorAddress(InetSocketAddress a, byte[] transactionId) {
        byte[] ip = a.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(4 + ip.length);
        b.put((byte) 0).put((byte) (ip.length == 4 ? 1 : 2)).putShort((short) (a.getPort() ^ (MAGIC_COOKIE >>> 16)));
        byte[] mask = mask(transactionId);
        for (int i = 0; i < ip.length; i++) {
            b.put((byte) (ip[i] ^ mask[i]));
        }
        return b.array();
    }

    public static InetSocketAddress xorAddress(byte[] v, byte[] transactionId) {
        if (v.length < 4) {
            throw new StunFormatException("address attribute of " + v.length + " bytes");
        }
        int family = v[1] & 0xff;
        int length = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (length < 0 || v.length != 4 + length) {
            throw new StunFormatException("address attribute: family " + family + " with " + v.length + " bytes");
        }
        int port = (((v[2] & 0xff) << 8) | (v[3] & 0xff)) ^ (MAGIC_COOKIE >>> 16);
        byte[] mask = mask(transactionId);
        byte[] ip = new byte[length];
        for (int i = 0; i < length; i++) {
            ip[i] = (byte) (v[4 + i] ^ mask[i]);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new StunFormatException("address attribute: " + e.getMessage());
        }
    }

    private static byte[] mask(byte[] transactionId) {
        return ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transactionId).array();
    }

    public static Attribute attr(int type, byte[] value) {
        return new Attribute(type, value);
    }

    public static Attribute attr(int type, String value) {
        return new Attribute(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public static Attribute intAttr(int type, int value) {
        return new Attribute(type, ByteBuffer.allocate(4).putInt(value).array());
    }

    public static Attribute errorAttr(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        return new Attribute(ERROR_CODE, ByteBuffer.allocate(4 + r.length).putShort((short) 0).put((byte) (code / 100))
                .put((byte) (code % 100)).put(r).array());
    }

    /** CHANNEL-NUMBER: the number, then two reserved bytes. */
    public static Attribute channelAttr(int channel) {
        return new Attribute(CHANNEL_NUMBER, ByteBuffer.allocate(4).putShort((short) channel).putShort((short) 0).array());
    }

    /** REQUESTED-TRANSPORT UDP (17). */
    public static Attribute udpTransport() {
        return new Attribute(REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
    }

    static boolean isV4(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return "STUN[method 0x" + Integer.toHexString(method) + ", class 0x" + Integer.toHexString(messageClass) + ", "
                + attributes.size() + " attributes]";
    }
}
