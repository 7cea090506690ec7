package dev.kubespan.identity.internal;

import java.util.HexFormat;

/** Hardware addresses and the modified EUI-64 interface identifier of RFC 4291 appendix A. */
final class Eui64 {
    private Eui64() {
    }

    /**
     * Parses a colon-separated hex hardware address of any length ({@code ea:71:1b:b2:cc:ee}).
     * Length is checked by {@link #interfaceId}, so callers can report what they found.
     */
    static byte[] parseMac(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty hardware address");
        }
        String[] parts = text.trim().split(":", -1);
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].matches("[0-9a-fA-F]{1,2}")) {
                throw new IllegalArgumentException("not a hardware address: '" + text + "'");
            }
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    static String format(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }

    /**
     * The 8-byte interface identifier: EUI-48 is split by {@code ff:fe}, EUI-64 taken as is, and
     * the universal/local bit flipped in both cases.
     */
    static byte[] interfaceId(byte[] mac) {
        byte[] id = new byte[8];
        if (mac.length == 6) {
            id[0] = mac[0];
            id[1] = mac[1];
            id[2] = mac[2];
            id[3] = (byte) 0xff;
            id[4] = (byte) 0xfe;
            id[5] = mac[3];
            id[6] = mac[4];
            id[7] = mac[5];
        } else if (mac.length == 8) {
            System.arraycopy(mac, 0, id, 0, 8);
        } else {
            throw new IllegalArgumentException(
                    "hardware address must be 6 (EUI-48) or 8 (EUI-64) bytes, got " + mac.length);
        }
        id[0] ^= 0x02;
        return id;
    }

    static boolean isZero(byte[] mac) {
        int acc = 0;
        for (byte b : mac) {
            acc |= b;
        }
        return acc == 0;
    }

    /** Unicast: the I/G bit (lowest bit of the first byte) is clear. */
    static boolean isUnicast(byte[] mac) {
        return mac.length > 0 && (mac[0] & 0x01) == 0;
    }
}
