package dev.kubespan.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.Test;

import dev.kubespan.http.PasswordHash;
import dev.kubespan.http.internal.AccessPolicy.Decision;

public class AccessPolicyTest {
    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void loopbackIsServedWithoutCredentials() {
        AccessPolicy p = new AccessPolicy("", "");
        for (String local : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"}) {
            assertEquals(local, Decision.ALLOW, p.decide(local, null));
        }
    }

    @Test
    public void otherAddressesAreRefusedWhenNoCredentialsAreConfigured() {
        AccessPolicy p = new AccessPolicy("", "");
        assertFalse(p.remoteAccessConfigured());
        assertEquals(Decision.FORBIDDEN, p.decide("10.99.0.1", null));
        assertEquals(Decision.FORBIDDEN, p.decide("10.99.0.1", basic("", "")));
        assertEquals(Decision.FORBIDDEN, p.decide("fd99::1", null));
        assertEquals("a missing address is not loopback", Decision.FORBIDDEN, p.decide(null, null));
        assertEquals("names are never resolved", Decision.FORBIDDEN, p.decide("localhost", null));
    }

    @Test
    public void otherAddressesNeedTheConfiguredCredentials() {
        AccessPolicy p = new AccessPolicy("prometheus", PasswordHash.hash("s3cret pass".toCharArray(), 1000));
        assertEquals(Decision.CHALLENGE, p.decide("10.99.0.1", null));
        assertEquals(Decision.CHALLENGE, p.decide("10.99.0.1", basic("prometheus", "wrong")));
        assertEquals(Decision.CHALLENGE, p.decide("10.99.0.1", basic("other", "s3cret pass")));
        assertEquals(Decision.CHALLENGE, p.decide("10.99.0.1", "Bearer abc"));
        assertEquals(Decision.CHALLENGE, p.decide("10.99.0.1", "Basic !!!notbase64"));
        assertEquals(Decision.ALLOW, p.decide("10.99.0.1", basic("prometheus", "s3cret pass")));
        assertEquals("verified once, remembered", Decision.ALLOW, p.decide("10.99.0.1", basic("prometheus", "s3cret pass")));
        assertEquals(Decision.ALLOW, p.decide("127.0.0.1", null));
    }

    @Test
    public void guessingIsLimitedToAFewChecksPerSecond() {
        long[] now = {0};
        AccessPolicy p = new AccessPolicy("u", "right", () -> now[0]);
        for (int i = 0; i < AccessPolicy.CHECKS_PER_SECOND; i++) {
            assertEquals(Decision.CHALLENGE, p.decide("192.0.2.1", basic("u", "guess" + i)));
        }
        assertEquals("over the rate even the right password is not checked", Decision.CHALLENGE,
                p.decide("192.0.2.1", basic("u", "right")));
        now[0] += 1_000_000_000L;
        assertEquals("the next second it is", Decision.ALLOW, p.decide("192.0.2.1", basic("u", "right")));
    }

    @Test
    public void aPlainPasswordWorksButIsFlagged() {
        AccessPolicy p = new AccessPolicy("u", "plain");
        assertTrue(p.plainPassword());
        assertEquals(Decision.ALLOW, p.decide("192.0.2.1", basic("u", "plain")));
        assertEquals(Decision.CHALLENGE, p.decide("192.0.2.1", basic("u", "plainx")));
    }

    @Test
    public void malformedHashesAreRejectedWithAReason() {
        try {
            new AccessPolicy("u", "pbkdf2-sha256:10:abc");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("<iterations>:<salt>:<hash>"));
        }
        try {
            new AccessPolicy("u:x", "p");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("auth.user"));
        }
    }

    @Test
    public void hashesVerifyAndDiffer() {
        String a = PasswordHash.hash("pw".toCharArray());
        String b = PasswordHash.hash("pw".toCharArray(), 1000);
        assertTrue(a.startsWith(PasswordHash.PREFIX));
        assertFalse("salted", a.equals(b));
        assertTrue(PasswordHash.matches(a, "pw".toCharArray()));
        assertFalse(PasswordHash.matches(a, "pW".toCharArray()));
    }
}
