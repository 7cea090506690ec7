package dev.kubespan.test;

import java.util.HexFormat;

/**
 * Bytes written the way the protocol documents show them, for tests that compare encodings byte
 * for byte (netlink, generic netlink WireGuard): blanks and '|' (field separators) are ignored.
 */
public final class Hex {
    private Hex() {
    }

    /** {@code "0800 0100 | 2a000000"} → the bytes. */
    public static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("[\\s|]", ""));
    }

    /** Lower-case hex without separators, so that a failed comparison shows where the bytes differ. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
