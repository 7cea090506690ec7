package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.Test;

public class PemTest {
    private static final TestPki PKI = new TestPki();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The parsed key signs what the certificate's public key verifies: it is the same key. */
    private static void assertSameKey(TestPki.Issued issued, PrivateKey parsed) throws Exception {
        String alg = parsed.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        Signature s = Signature.getInstance(alg);
        s.initSign(parsed);
        s.update(b("kubespan"));
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(issued.certificate().getPublicKey());
        v.update(b("kubespan"));
        assertTrue("signature of the parsed key verifies with the certificate", v.verify(sig));
    }

    @Test
    public void readsSec1EcKeysWithTheirCurve() throws Exception {
        TestPki.Issued c = PKI.client("ec-node", "EC");
        String pem = c.traditionalPem();
        assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----"));
        PrivateKey k = Pem.privateKey(b(pem), "client-key");
        assertEquals("EC", k.getAlgorithm());
        assertSameKey(c, k);
    }

    @Test
    public void readsPkcs1RsaKeys() throws Exception {
        TestPki.Issued c = PKI.client("rsa-node", "RSA");
        String pem = c.traditionalPem();
        assertTrue(pem.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        PrivateKey k = Pem.privateKey(b(pem), "client-key");
        assertEquals("RSA", k.getAlgorithm());
        assertSameKey(c, k);
    }

    @Test
    public void readsPkcs8KeysOfEveryKind() throws Exception {
        for (String alg : List.of("EC", "RSA")) {
            TestPki.Issued c = PKI.client("p8-" + alg, alg);
            PrivateKey k = Pem.privateKey(b(c.pkcs8Pem()), "client-key");
            assertEquals(alg, k.getAlgorithm());
            assertArrayEquals(c.keys().getPrivate().getEncoded(), k.getEncoded());
        }
        KeyPair ed = TestPki.generate("Ed25519");
        PrivateKey k = Pem.privateKey(b(TestPki.pem("PRIVATE KEY", ed.getPrivate().getEncoded())), "client-key");
        assertArrayEquals(ed.getPrivate().getEncoded(), k.getEncoded());
    }

    @Test
    public void skipsParameterBlocksBeforeTheKey() throws Exception {
        TestPki.Issued c = PKI.client("params", "EC");
        String withParams = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + c.traditionalPem();
        assertSameKey(c, Pem.privateKey(b(withParams), "client-key"));
    }

    @Test
    public void readsCertificateChainsInOrder() throws Exception {
        TestPki.Issued c = PKI.client("chain", "EC");
        List<X509Certificate> chain = Pem.certificates(b(c.certificatePem() + PKI.ca.certificatePem()), "ca");
        assertEquals(2, chain.size());
        assertEquals(c.certificate(), chain.get(0));
        assertEquals(PKI.ca.certificate(), chain.get(1));
    }

    @Test
    public void refusesEncryptedAndBrokenKeysWithoutEchoingThem() {
        TestPki.Issued c = PKI.client("broken", "EC");
        String body = c.pkcs8Pem().split("\n")[1];
        String encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + body + "\n-----END RSA PRIVATE KEY-----\n";
        String p8encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + body + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
        String garbage = "-----BEGIN EC PRIVATE KEY-----\n" + body + "\n-----END EC PRIVATE KEY-----\n";
        String notBase64 = "-----BEGIN PRIVATE KEY-----\n%%%%\n-----END PRIVATE KEY-----\n";
        for (String pem : List.of(encrypted, p8encrypted, garbage, notBase64, "no pem here", c.certificatePem())) {
            try {
                Pem.privateKey(b(pem), "users[node].client-key-data");
                fail("accepted " + pem);
            } catch (ClusterAccessException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("users[node].client-key-data: "));
                assertFalse("the key material is not in the message", e.getMessage().contains(body.substring(0, 20)));
            }
        }
    }

    @Test
    public void refusesTextWithoutCertificates() {
        try {
            Pem.certificates(b(PKI.client("x", "EC").pkcs8Pem()), "certificate-authority-data");
            fail();
        } catch (ClusterAccessException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no PEM certificate"));
        }
    }
}
