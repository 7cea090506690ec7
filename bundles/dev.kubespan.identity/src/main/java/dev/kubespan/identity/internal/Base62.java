package dev.kubespan.identity.internal;

import java.math.BigInteger;

/**
 * Base62 ({@code 0-9A-Za-z}) of a byte string read as an unsigned big-endian number, left-padded
 * to a fixed width so every node ID of the same byte length has the same length.
 */
final class Base62 {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(62);

    private Base62() {
    }

    static String encode(byte[] bytes) {
        int width = width(bytes.length);
        char[] out = new char[width];
        BigInteger n = new BigInteger(1, bytes);
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = n.divideAndRemainder(BASE);
            out[i] = ALPHABET.charAt(qr[1].intValue());
            n = qr[0];
        }
        return new String(out);
    }

    /** Digits needed for any value of {@code byteCount} bytes: 43 for 32 bytes. */
    static int width(int byteCount) {
        return (int) Math.ceil(byteCount * 8 / (Math.log(62) / Math.log(2)));
    }

    static boolean isBase62(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (ALPHABET.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
