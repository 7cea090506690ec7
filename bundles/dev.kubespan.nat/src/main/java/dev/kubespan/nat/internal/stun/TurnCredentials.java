package dev.kubespan.nat.internal.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * TURN long-term credentials (RFC 8489 §9.2): a username and password, whose MESSAGE-INTEGRITY key
 * is {@code MD5(username ":" realm ":" password)} once the server named its realm. With the TURN
 * REST scheme (coturn's {@code use-auth-secret}) both are derived from a secret shared with the
 * server: the username is {@code <expiry unix time>:<name>}, the password
 * {@code base64(HMAC-SHA1(secret, username))}, so no per-node account exists on the server.
 * {@link #toString()} never shows the password.
 */
public record TurnCredentials(String username, String password) {

    /** Credentials of the REST scheme, valid for {@code validFor} from {@code now}. */
    public static TurnCredentials fromSharedSecret(String secret, String name, Instant now, Duration validFor) {
        String username = (now.plus(validFor).getEpochSecond()) + ":" + name;
        byte[] mac = StunMessage.hmacSha1(secret.getBytes(StandardCharsets.UTF_8), username.getBytes(StandardCharsets.UTF_8));
        return new TurnCredentials(username, Base64.getEncoder().encodeToString(mac));
    }

    /** The REST scheme's username carries its expiry; a long-term username does not (then null). */
    public Instant expiry() {
        int colon = username.indexOf(':');
        try {
            return colon > 0 ? Instant.ofEpochSecond(Long.parseLong(username.substring(0, colon))) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public byte[] key(String realm) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "TurnCredentials[username=" + username + ", password=<redacted>]";
    }
}
