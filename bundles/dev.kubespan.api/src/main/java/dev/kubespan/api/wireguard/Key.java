package dev.kubespan.api.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;

import javax.crypto.KeyAgreement;

/**
 * A 32-byte WireGuard key (private, public or preshared). Decoding and encoding avoid
 * data-dependent branches so secrets do not leak through timing. {@link #toString()} never shows
 * the key: use {@link #toBase64()} where a key is meant to be shown.
 */
public final class Key {
    public static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private Key(byte[] key) {
        this.key = key;
    }

    public static Key fromBytes(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new KeyFormatException("key must be " + LENGTH + " bytes, got " + (raw == null ? 0 : raw.length));
        }
        return new Key(raw.clone());
    }

    /** Standard base64 with padding: 44 characters. */
    public static Key fromBase64(String text) {
        if (text == null || text.length() != 44 || text.charAt(43) != '=') {
            throw new KeyFormatException("base64 key must be 44 characters ending in '='");
        }
        byte[] out = new byte[LENGTH];
        int bad = 0;
        for (int i = 0; i < 10; i++) {
            int v = 0;
            for (int j = 0; j < 4; j++) {
                int d = decodeBase64(text.charAt(i * 4 + j));
                bad |= d >>> 31;
                v = (v << 6) | (d & 63);
            }
            out[i * 3] = (byte) (v >>> 16);
            out[i * 3 + 1] = (byte) (v >>> 8);
            out[i * 3 + 2] = (byte) v;
        }
        int v = 0;
        for (int j = 0; j < 3; j++) {
            int d = decodeBase64(text.charAt(40 + j));
            bad |= d >>> 31;
            v = (v << 6) | (d & 63);
        }
        bad |= v & 3; // the two unused low bits of the last character must be zero
        out[30] = (byte) (v >>> 10);
        out[31] = (byte) (v >>> 2);
        if (bad != 0) {
            throw new KeyFormatException("base64 key contains invalid characters");
        }
        return new Key(out);
    }

    /** 64 hex digits, either case. */
    public static Key fromHex(String text) {
        if (text == null || text.length() != 64) {
            throw new KeyFormatException("hex key must be 64 characters");
        }
        byte[] out = new byte[LENGTH];
        int bad = 0;
        for (int i = 0; i < LENGTH; i++) {
            int hi = decodeHex(text.charAt(2 * i));
            int lo = decodeHex(text.charAt(2 * i + 1));
            bad |= (hi | lo) >>> 31;
            out[i] = (byte) ((hi << 4) | (lo & 15));
        }
        if (bad != 0) {
            throw new KeyFormatException("hex key contains invalid characters");
        }
        return new Key(out);
    }

    /** A new private key, clamped as {@code wg genkey} does. */
    public static Key generatePrivateKey() {
        byte[] k = new byte[LENGTH];
        RANDOM.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return new Key(k);
    }

    /** A new random preshared key. */
    public static Key generatePresharedKey() {
        byte[] k = new byte[LENGTH];
        RANDOM.nextBytes(k);
        return new Key(k);
    }

    /** The X25519 public key of this private key. */
    public Key publicKey() {
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, key.clone()));
            PublicKey base = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(base, true);
            return new Key(ka.generateSecret());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 not available", e);
        }
    }

    public byte[] bytes() {
        return key.clone();
    }

    public boolean isZero() {
        int acc = 0;
        for (byte b : key) {
            acc |= b;
        }
        return acc == 0;
    }

    public String toBase64() {
        char[] out = new char[44];
        for (int i = 0; i < 10; i++) {
            int v = ((key[i * 3] & 0xff) << 16) | ((key[i * 3 + 1] & 0xff) << 8) | (key[i * 3 + 2] & 0xff);
            out[i * 4] = encodeBase64((v >>> 18) & 63);
            out[i * 4 + 1] = encodeBase64((v >>> 12) & 63);
            out[i * 4 + 2] = encodeBase64((v >>> 6) & 63);
            out[i * 4 + 3] = encodeBase64(v & 63);
        }
        int v = ((key[30] & 0xff) << 16) | ((key[31] & 0xff) << 8);
        out[40] = encodeBase64((v >>> 18) & 63);
        out[41] = encodeBase64((v >>> 12) & 63);
        out[42] = encodeBase64((v >>> 6) & 63);
        out[43] = '=';
        return new String(out);
    }

    /** Lower-case hex, as UAPI wants it. */
    public String toHex() {
        char[] out = new char[64];
        for (int i = 0; i < LENGTH; i++) {
            out[2 * i] = encodeHex((key[i] >>> 4) & 15);
            out[2 * i + 1] = encodeHex(key[i] & 15);
        }
        return new String(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key other && MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "Key[redacted]";
    }

    // Branch-free: returns the 6-bit value, or -1 for a character outside the alphabet.
    private static int decodeBase64(char c) {
        int ret = -1;
        ret += (((('A' - 1) - c) & (c - ('Z' + 1))) >> 8) & (c - 64);
        ret += (((('a' - 1) - c) & (c - ('z' + 1))) >> 8) & (c - 70);
        ret += (((('0' - 1) - c) & (c - ('9' + 1))) >> 8) & (c + 5);
        ret += (((('+' - 1) - c) & (c - ('+' + 1))) >> 8) & 63;
        ret += (((('/' - 1) - c) & (c - ('/' + 1))) >> 8) & 64;
        return ret;
    }

    private static char encodeBase64(int v) {
        int c = v + 'A';
        c += ((25 - v) >> 8) & 6;
        c -= ((51 - v) >> 8) & 75;
        c -= ((61 - v) >> 8) & 15;
        c += ((62 - v) >> 8) & 3;
        return (char) c;
    }

    private static int decodeHex(char c) {
        int ret = -1;
        ret += (((('0' - 1) - c) & (c - ('9' + 1))) >> 8) & (c - 47);
        ret += (((('a' - 1) - c) & (c - ('f' + 1))) >> 8) & (c - 86);
        ret += (((('A' - 1) - c) & (c - ('F' + 1))) >> 8) & (c - 54);
        return ret;
    }

    private static char encodeHex(int v) {
        return (char) (87 + v + (((v - 10) >> 8) & ~38));
    }
}
