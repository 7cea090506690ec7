package dev.kubespan.discovery.service.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The discovery-service encryption (docs/discovery-protocol.md §2): AES-GCM for affiliate data
 * ({@code nonce(12) || ciphertext || tag(16)}, random nonce, no associated data) and
 * deterministic AES-ECB for endpoint blobs (length byte, zero padding), both under the raw
 * decoded cluster secret. Thread-safe: a JCE {@link Cipher} is created per call because
 * instances are not.
 */
public final class ClusterCipher {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final int BLOCK = 16;

    private final SecretKeySpec key;
    private final byte[] keyDigest;
    private final SecureRandom random;

    public ClusterCipher(byte[] key, SecureRandom random) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("cluster encryption key must be " + KEY_BYTES + " bytes, got "
                    + (key == null ? 0 : key.length));
        }
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
        this.keyDigest = sha256(key);
    }

    /**
     * Decodes {@code serviceEncryptionKey} (standard base64 of 32 bytes). The error message
     * describes the problem without repeating the value.
     */
    public static ClusterCipher fromBase64(String secret, SecureRandom random) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("serviceEncryptionKey is empty");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(secret.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serviceEncryptionKey is not valid standard base64");
        }
        try {
            return new ClusterCipher(raw, random);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serviceEncryptionKey must decode to " + KEY_BYTES + " bytes, got "
                    + raw.length);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Whether two ciphers use the same key, without exposing it. */
    public boolean sameKey(ClusterCipher other) {
        return other != null && MessageDigest.isEqual(keyDigest, other.keyDigest);
    }

    /** Encrypts affiliate data with a fresh random nonce. */
    public byte[] seal(byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            byte[] sealed = c.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName());
        }
    }

    /** Decrypts and authenticates affiliate data. */
    public byte[] open(byte[] blob) throws PayloadException {
        if (blob == null || blob.length < NONCE_BYTES + TAG_BYTES) {
            throw new PayloadException("affiliate data too short: " + (blob == null ? 0 : blob.length)
                    + " bytes, need at least " + (NONCE_BYTES + TAG_BYTES));
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, blob, 0, NONCE_BYTES));
            return c.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new PayloadException("affiliate data failed authentication (other cluster key or tampered data)");
        } catch (GeneralSecurityException e) {
            throw new PayloadException("affiliate data cannot be decrypted: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Encrypts one serialised endpoint: one length byte, the bytes, zero padding to a multiple
     * of 16, each block encrypted on its own, so equal endpoints give equal blobs.
     */
    public byte[] sealEndpoint(byte[] plaintext) {
        if (plaintext.length > 255) {
            throw new IllegalArgumentException("endpoint encoding too long: " + plaintext.length + " bytes");
        }
        int padded = (plaintext.length + 1 + BLOCK - 1) / BLOCK * BLOCK;
        byte[] block = new byte[padded];
        block[0] = (byte) plaintext.length;
        System.arraycopy(plaintext, 0, block, 1, plaintext.length);
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key);
            return c.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-ECB is not available: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(block, (byte) 0);
        }
    }

    /** Reverses {@link #sealEndpoint}; padding bytes are ignored. */
    public byte[] openEndpoint(byte[] blob) throws PayloadException {
        if (blob == null || blob.length == 0 || blob.length % BLOCK != 0) {
            throw new PayloadException("endpoint blob length " + (blob == null ? 0 : blob.length)
                    + " is not a positive multiple of " + BLOCK);
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key);
            plain = c.doFinal(blob);
        } catch (GeneralSecurityException e) {
            throw new PayloadException("endpoint blob cannot be decrypted: " + e.getClass().getSimpleName());
        }
        int n = plain[0] & 0xff;
        if (n > plain.length - 1) {
            // With a wrong key the length byte is random, so this is the usual symptom.
            throw new PayloadException("endpoint blob declares " + n + " bytes but holds " + (plain.length - 1)
                    + " (other cluster key or corrupt data)");
        }
        return Arrays.copyOfRange(plain, 1, 1 + n);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ClusterCipher[AES-256, key redacted]";
    }
}
