package dev.kubespan.api.wireguard;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Base64;
import java.util.HexFormat;

import org.junit.Test;

public class KeyTest {
    // RFC 7748 §6.1: Alice's private scalar and public key.
    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

    @Test
    public void derivesPublicKeyAsRfc7748() {
        assertEquals(ALICE_PUBLIC, Key.fromHex(ALICE_PRIVATE).publicKey().toHex());
    }

    @Test
    public void base64AndHexRoundTripAgainstTheJdk() {
        for (int i = 0; i < 200; i++) {
            Key k = Key.generatePresharedKey();
            String b64 = k.toBase64();
            assertEquals(Base64.getEncoder().encodeToString(k.bytes()), b64);
            assertEquals(HexFormat.of().formatHex(k.bytes()), k.toHex());
            assertEquals(k, Key.fromBase64(b64));
            assertEquals(k, Key.fromHex(k.toHex()));
            assertEquals(k, Key.fromHex(k.toHex().toUpperCase()));
        }
    }

    @Test
    public void generatedPrivateKeysAreClamped() {
        byte[] b = Key.generatePrivateKey().bytes();
        assertEquals(0, b[0] & 7);
        assertEquals(0x40, b[31] & 0xc0);
    }

    @Test
    public void rejectsMalformedKeysWithoutEchoingThem() {
        String good = Key.generatePrivateKey().toBase64();
        KeyFormatException e = assertThrows(KeyFormatException.class,
                () -> Key.fromBase64(good.substring(0, 10) + "*" + good.substring(11)));
        assertFalse(e.getMessage().contains(good.substring(0, 10)));
        assertThrows(KeyFormatException.class, () -> Key.fromBase64(good.substring(1)));
        assertThrows(KeyFormatException.class, () -> Key.fromHex("zz" + ALICE_PRIVATE.substring(2)));
        assertThrows(KeyFormatException.class, () -> Key.fromBytes(new byte[31]));
        // non-canonical last character: low bits set
        assertThrows(KeyFormatException.class, () -> Key.fromBase64(good.substring(0, 42) + "B="));
    }

    @Test
    public void toStringNeverShowsTheKey() {
        Key k = Key.generatePrivateKey();
        assertFalse(k.toString().contains(k.toBase64()));
        assertFalse(k.toString().contains(k.toHex()));
    }

    @Test
    public void equality() {
        Key a = Key.generatePrivateKey();
        assertEquals(a, Key.fromBytes(a.bytes()));
        assertNotEquals(a, Key.generatePrivateKey());
        assertTrue(Key.fromBytes(new byte[32]).isZero());
    }
}
