package dev.kubespan.http.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kubespan.http.PasswordHash;

/**
 * Who may read: a request that arrived on a loopback address (the box itself) always; any other
 * only with the configured HTTP Basic credentials; without configured credentials, nobody from
 * outside. Deciding by the address the request arrived on, not by the configured bind address,
 * keeps the rule right for a wildcard bind too.
 */
final class AccessPolicy {
    enum Decision {
        ALLOW, CHALLENGE, FORBIDDEN
    }

    /** Password checks (PBKDF2, deliberately slow) allowed per second, so guessing cannot eat the CPU. */
    static final int CHECKS_PER_SECOND = 4;
    private final String user;
    private final String password;
    private final java.util.function.LongSupplier nanos;
    private long windowStart;
    private int checksInWindow;
    /** Digests of Authorization headers already verified, so PBKDF2 runs once per client, not per request. */
    private final Map<String, Boolean> verified = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > 32;
        }
    });

    /**
     * @param password a {@link PasswordHash} or a plain password; empty user or password = no
     *        remote access
     * @throws IllegalArgumentException when the password hash is malformed
     */
    AccessPolicy(String user, String password) {
        this(user, password, System::nanoTime);
    }

    AccessPolicy(String user, String password, java.util.function.LongSupplier nanos) {
        this.nanos = nanos;
        this.windowStart = nanos.getAsLong();
        this.user = user == null ? "" : user.trim();
        this.password = password == null ? "" : password;
        if (PasswordHash.isHash(this.password)) {
            PasswordHash.matches(this.password, new char[0]); // validates the form
        }
        if (this.user.contains(":")) {
            throw new IllegalArgumentException("auth.user must not contain ':'");
        }
    }

    boolean remoteAccessConfigured() {
        return !user.isEmpty() && !password.isEmpty();
    }

    boolean plainPassword() {
        return !password.isEmpty() && !PasswordHash.isHash(password);
    }

    Decision decide(String localAddress, String authorization) {
        if (isLoopback(localAddress)) {
            return Decision.ALLOW;
        }
        if (!remoteAccessConfigured()) {
            return Decision.FORBIDDEN;
        }
        return authorization != null && credentialsMatch(authorization) ? Decision.ALLOW : Decision.CHALLENGE;
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        if (!literal.matches("[0-9a-fA-F:.%]+[0-9a-zA-Z]*")) {
            return false; // only literals: never resolve a name here
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean credentialsMatch(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String key = digest(authorization);
        Boolean known = verified.get(key);
        if (known != null) {
            return known;
        }
        if (!mayCheck()) {
            return false; // over the rate: answered as wrong, without spending the CPU
        }
        boolean ok = check(authorization.substring(6).trim());
        verified.put(key, ok);
        return ok;
    }

    private synchronized boolean mayCheck() {
        long now = nanos.getAsLong();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            checksInWindow = 0;
        }
        return ++checksInWindow <= CHECKS_PER_SECOND;
    }

    private boolean check(String encoded) {
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userOk = MessageDigest.isEqual(pair.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                user.getBytes(StandardCharsets.UTF_8));
        char[] given = pair.substring(colon + 1).toCharArray();
        boolean passwordOk = PasswordHash.isHash(password) ? PasswordHash.matches(password, given)
                : MessageDigest.isEqual(new String(given).getBytes(StandardCharsets.UTF_8),
                        password.getBytes(StandardCharsets.UTF_8));
        return userOk & passwordOk;
    }

    private static String digest(String s) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
