package dev.kubespan.discovery.kubernetes.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for the tests: a cluster CA, an API server certificate for 127.0.0.1, and
 * client certificates, with the keys written in the PEM flavours kubeconfigs carry.
 */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair with its certificate. */
    record Issued(KeyPair keys, X509Certificate certificate) {
        String certificatePem() {
            return pem("CERTIFICATE", encoded(certificate));
        }

        /** PKCS#8 ({@code PRIVATE KEY}). */
        String pkcs8Pem() {
            return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        /** PKCS#1 ({@code RSA PRIVATE KEY}) for RSA, SEC1 with the curve named ({@code EC PRIVATE KEY}) for EC. */
        String traditionalPem() {
            PrivateKey k = keys.getPrivate();
            try {
                if (k instanceof ECPrivateKey ec) {
                    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
                    ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) spki.getAlgorithm().getParameters();
                    org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                            ec.getS(), spki.getPublicKeyData(), curve);
                    return pem("EC PRIVATE KEY", sec1.getEncoded());
                }
                byte[] pkcs1 = PrivateKeyInfo.getInstance(k.getEncoded()).parsePrivateKey().toASN1Primitive()
                        .getEncoded();
                return pem("RSA PRIVATE KEY", pkcs1);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    final Issued ca;

    TestPki() {
        KeyPair caKeys = generate("EC");
        X500Name name = new X500Name("CN=kubernetes-test-ca");
        ca = new Issued(caKeys, sign(name, caKeys, name, caKeys.getPrivate(), true, null, null));
    }

    static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (!algorithm.startsWith("Ed")) {
                g.initialize(algorithm.equals("RSA") ? 2048 : 256);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The API server's certificate: EC, SAN IP 127.0.0.1. */
    Issued server() {
        KeyPair k = generate("EC");
        return new Issued(k, sign(new X500Name("CN=kube-apiserver"), k, new X500Name("CN=kubernetes-test-ca"),
                ca.keys().getPrivate(), false, KeyPurposeId.id_kp_serverAuth, "127.0.0.1"));
    }

    /** A client certificate for user {@code cn} with an {@code EC} or {@code RSA} key. */
    Issued client(String cn, String algorithm) {
        KeyPair k = generate(algorithm);
        return new Issued(k, sign(new X500Name("CN=" + cn + ",O=system:nodes"), k,
                new X500Name("CN=kubernetes-test-ca"), ca.keys().getPrivate(), false, KeyPurposeId.id_kp_clientAuth,
                null));
    }

    /** TLS for the test API server: its certificate, and the CA for verifying client certificates. */
    SSLContext serverContext(Issued server) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", server.keys().getPrivate(), "pw".toCharArray(),
                    new X509Certificate[] { server.certificate(), ca.certificate() });
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "pw".toCharArray());
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            boolean isCa, KeyPurposeId purpose, String ip) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (ip != null) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress())));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }
}
