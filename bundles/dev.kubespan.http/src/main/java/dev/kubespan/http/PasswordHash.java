package dev.kubespan.http;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for {@code auth.password} of PID {@code dev.kubespan.http}:
 * {@code pbkdf2-sha256:<iterations>:<salt, base64>:<hash, base64>} (PBKDF2 with HMAC-SHA-256,
 * JDK only). Runs without OSGi: {@code bin/kubespan hash-password} reads the password from
 * standard input and prints its hash, so the password is in neither the process list nor a file.
 */
public final class PasswordHash {
    public static final String PREFIX = "pbkdf2-sha256:";
    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private PasswordHash() {
    }

    /** A new hash of {@code password} with a random salt. */
    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** With fewer iterations only where speed matters more than strength (tests). */
    public static String hash(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return PREFIX + iterations + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(derive(password, salt, iterations));
    }

    /** Whether {@code text} looks like a hash of this form (else it is a plain password). */
    public static boolean isHash(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /**
     * Whether {@code password} matches {@code hash}.
     *
     * @throws IllegalArgumentException naming what is wrong when {@code hash} is malformed
     */
    public static boolean matches(String hash, char[] password) {
        String[] parts = hash.substring(PREFIX.length()).split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a password hash is " + PREFIX + "<iterations>:<salt>:<hash>");
        }
        int iterations;
        byte[] salt;
        byte[] expected;
        try {
            iterations = Integer.parseInt(parts[0]);
            salt = Base64.getDecoder().decode(parts[1]);
            expected = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a password hash is " + PREFIX
                    + "<iterations>:<salt>:<hash> with base64 salt and hash");
        }
        if (iterations < 1000 || salt.length < 8 || expected.length < 16) {
            throw new IllegalArgumentException("password hash too weak (iterations >= 1000, salt >= 8 bytes)");
        }
        return MessageDigest.isEqual(expected, derive(password, salt, iterations, expected.length * 8));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        return derive(password, salt, iterations, HASH_BITS);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bits) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    /** Reads one line (the password) from standard input and prints its hash. */
    public static void main(String[] args) {
        System.exit(run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
                System.err));
    }

    static int run(BufferedReader in, PrintStream out, PrintStream err) {
        try {
            String line = in.readLine();
            if (line == null || line.isEmpty()) {
                err.println("hash-password: give the password on standard input (one line, not empty)");
                return 2;
            }
            out.println(hash(line.toCharArray()));
            return 0;
        } catch (java.io.IOException e) {
            err.println("hash-password: cannot read standard input: " + e.getMessage());
            return 1;
        }
    }
}
