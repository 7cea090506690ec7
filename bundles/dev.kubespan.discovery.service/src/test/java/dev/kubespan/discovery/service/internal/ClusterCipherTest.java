package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.Test;

public class ClusterCipherTest {
    static final byte[] KEY = new byte[32];
    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) i;
        }
    }
    private final ClusterCipher cipher = new ClusterCipher(KEY, new SecureRandom());

    /** docs/discovery-protocol.md §2.3: 10.0.0.2:51820 under key 0x00..0x1f. */
    @Test
    public void endpointBlobMatchesTheWorkedExample() throws Exception {
        byte[] endpointProto = HexFormat.of().parseHex("0a040a00000210ec9403");
        byte[] blob = cipher.sealEndpoint(endpointProto);
        assertEquals("45c55198f8ad5b07dd423e192f7e13e8", HexFormat.of().formatHex(blob));
        assertArrayEquals(endpointProto, cipher.openEndpoint(blob));
    }

    @Test
    public void endpointBlobsAreDeterministicAndPaddedToBlocks() throws Exception {
        byte[] v6 = new byte[22];
        Arrays.fill(v6, (byte) 7);
        byte[] a = cipher.sealEndpoint(v6);
        assertEquals(32, a.length);
        assertArrayEquals(a, cipher.sealEndpoint(v6));
        assertArrayEquals(v6, cipher.openEndpoint(a));
        assertEquals(16, cipher.sealEndpoint(new byte[15]).length);
        assertEquals(32, cipher.sealEndpoint(new byte[16]).length);
    }

    @Test
    public void endpointBlobWithBadLengthIsRejected() {
        PayloadException e = assertThrows(PayloadException.class, () -> cipher.openEndpoint(new byte[15]));
        assertTrue(e.getMessage(), e.getMessage().contains("multiple of 16"));
        assertThrows(PayloadException.class, () -> cipher.openEndpoint(new byte[0]));
        assertThrows(PayloadException.class, () -> cipher.openEndpoint(null));
    }

    @Test
    public void endpointBlobWhoseLengthByteOverrunsIsRejected() throws Exception {
        // A block whose plaintext length byte says 200: only a wrong key or garbage produces that.
        byte[] block = new byte[16];
        block[0] = (byte) 200;
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(KEY, "AES"));
        byte[] blob = c.doFinal(block);
        PayloadException e = assertThrows(PayloadException.class, () -> cipher.openEndpoint(blob));
        assertTrue(e.getMessage(), e.getMessage().contains("declares 200 bytes"));
    }

    @Test
    public void dataRoundTripsWithAFreshNonceEachTime() throws Exception {
        byte[] plain = "affiliate payload".getBytes(StandardCharsets.UTF_8);
        byte[] a = cipher.seal(plain);
        byte[] b = cipher.seal(plain);
        assertEquals(12 + plain.length + 16, a.length);
        assertFalse(Arrays.equals(a, b));
        assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)));
        assertArrayEquals(plain, cipher.open(a));
        assertArrayEquals(plain, cipher.open(b));
    }

    @Test
    public void emptyPlaintextStillAuthenticates() throws Exception {
        byte[] a = cipher.seal(new byte[0]);
        assertEquals(28, a.length);
        assertArrayEquals(new byte[0], cipher.open(a));
    }

    @Test
    public void tamperedDataIsRejectedAnywhere() {
        byte[] sealed = cipher.seal("hello world".getBytes(StandardCharsets.UTF_8));
        for (int i : new int[] { 0, 11, 12, sealed.length - 17, sealed.length - 1 }) {
            byte[] t = sealed.clone();
            t[i] ^= 1;
            PayloadException e = assertThrows(PayloadException.class, () -> cipher.open(t));
            assertTrue(e.getMessage(), e.getMessage().contains("failed authentication"));
        }
    }

    @Test
    public void wrongKeyIsRejectedWithoutLeakingEitherKey() {
        byte[] other = KEY.clone();
        other[31] ^= 0x55;
        ClusterCipher wrong = new ClusterCipher(other, new SecureRandom());
        byte[] sealed = cipher.seal("secret".getBytes(StandardCharsets.UTF_8));
        PayloadException e = assertThrows(PayloadException.class, () -> wrong.open(sealed));
        assertNoKeyMaterial(e.getMessage());
        assertNoKeyMaterial(cipher.toString());
        assertFalse(cipher.sameKey(wrong));
        assertTrue(cipher.sameKey(new ClusterCipher(KEY.clone(), new SecureRandom())));
    }

    @Test
    public void truncatedDataIsRejected() {
        byte[] sealed = cipher.seal("some data".getBytes(StandardCharsets.UTF_8));
        for (int len : new int[] { 0, 11, 12, 27 }) {
            PayloadException e = assertThrows(PayloadException.class,
                    () -> cipher.open(Arrays.copyOf(sealed, len)));
            assertTrue(e.getMessage(), e.getMessage().contains("too short"));
        }
        // Long enough for nonce + tag but cut short: the tag no longer matches.
        assertThrows(PayloadException.class, () -> cipher.open(Arrays.copyOf(sealed, sealed.length - 1)));
        assertThrows(PayloadException.class, () -> cipher.open(null));
    }

    @Test
    public void keyFromBase64MustBe32Bytes() throws Exception {
        String good = Base64.getEncoder().encodeToString(KEY);
        ClusterCipher c = ClusterCipher.fromBase64(good, new SecureRandom());
        assertArrayEquals("x".getBytes(), c.open(cipher.seal("x".getBytes())));

        String short16 = Base64.getEncoder().encodeToString(Arrays.copyOf(KEY, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterCipher.fromBase64(short16, new SecureRandom()));
        assertEquals("serviceEncryptionKey must decode to 32 bytes, got 16", e.getMessage());
        assertFalse(e.getMessage().contains(short16));

        e = assertThrows(IllegalArgumentException.class,
                () -> ClusterCipher.fromBase64("not base64 !!", new SecureRandom()));
        assertEquals("serviceEncryptionKey is not valid standard base64", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterCipher.fromBase64("", new SecureRandom()));
    }

    @Test
    public void distinctKeysGiveDistinctEndpointBlobs() throws Exception {
        byte[] other = KEY.clone();
        other[0] = 99;
        byte[] p = HexFormat.of().parseHex("0a040a00000210ec9403");
        assertNotEquals(HexFormat.of().formatHex(cipher.sealEndpoint(p)),
                HexFormat.of().formatHex(new ClusterCipher(other, new SecureRandom()).sealEndpoint(p)));
    }

    private static void assertNoKeyMaterial(String text) {
        String hex = HexFormat.of().formatHex(KEY);
        String b64 = Base64.getEncoder().encodeToString(KEY);
        assertFalse(text, text.contains(hex) || text.contains(b64));
    }
}
