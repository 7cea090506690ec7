package dev.kubespan.discovery.kubernetes.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys as kubeconfigs and service accounts carry them. Keys may be
 * PKCS#8 ({@code PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1 ({@code RSA PRIVATE KEY}, kubeadm) or
 * SEC1 ({@code EC PRIVATE KEY}, k3s, Talos); encrypted keys are not supported. Error messages name
 * {@code what} (e.g. the kubeconfig field) and never include key material.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern
            .compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** 1.2.840.113549.1.1.1 */
    private static final byte[] RSA_ENCRYPTION = { 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7,
            0x0D, 0x01, 0x01, 0x01 };
    /** 1.2.840.10045.2.1 */
    private static final byte[] EC_PUBLIC_KEY = { 0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02,
            0x01 };
    private static final List<String> PKCS8_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private record Block(String label, String body) {
    }

    private Pem() {
    }

    /** Every certificate in the PEM text, in order; at least one. */
    static List<X509Certificate> certificates(byte[] pem, String what) throws ClusterAccessException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (!b.label.equals("CERTIFICATE")) {
                    continue;
                }
                byte[] der = decode(b, what);
                for (Certificate c : f.generateCertificates(new ByteArrayInputStream(der))) {
                    out.add((X509Certificate) c);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new ClusterAccessException(what + ": not a valid X.509 certificate (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new ClusterAccessException(what + ": no PEM certificate (-----BEGIN CERTIFICATE-----) found");
        }
        return out;
    }

    /** The first private key in the PEM text. */
    static PrivateKey privateKey(byte[] pem, String what) throws ClusterAccessException {
        for (Block b : blocks(pem)) {
            switch (b.label) {
            case "PRIVATE KEY":
                return pkcs8(decode(b, what), what);
            case "RSA PRIVATE KEY":
                return rsa(decode(b, what), what);
            case "EC PRIVATE KEY":
                return ec(decode(b, what), what);
            case "ENCRYPTED PRIVATE KEY":
                throw new ClusterAccessException(what + ": encrypted private keys are not supported");
            default:
                // e.g. "EC PARAMETERS" before an EC key: skip
            }
        }
        throw new ClusterAccessException(what + ": no PEM private key found (expected PRIVATE KEY,"
                + " RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static List<Block> blocks(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        return out;
    }

    private static byte[] decode(Block b, String what) throws ClusterAccessException {
        if (b.body.contains(":")) {
            // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED"
            throw new ClusterAccessException(what + ": encrypted or header-carrying PEM blocks are not supported");
        }
        try {
            return Base64.getMimeDecoder().decode(b.body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new ClusterAccessException(what + ": PEM block " + b.label + " is not valid base64");
        }
    }

    private static PrivateKey pkcs8(byte[] der, String what) throws ClusterAccessException {
        for (String algorithm : PKCS8_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException notThisOne) {
                // try the next algorithm
            }
        }
        throw new ClusterAccessException(what + ": unsupported or malformed PKCS#8 private key");
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8. */
    private static PrivateKey rsa(byte[] pkcs1, String what) throws ClusterAccessException {
        try {
            Der.parse(pkcs1);
            byte[] p8 = Der.tlv(Der.SEQUENCE, Der.smallInteger(0), Der.tlv(Der.SEQUENCE, RSA_ENCRYPTION, Der.nul()),
                    Der.tlv(Der.OCTET_STRING, pkcs1));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(p8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ClusterAccessException(what + ": malformed RSA PRIVATE KEY");
        }
    }

    /** SEC1 ECPrivateKey (which names its curve) wrapped as PKCS#8. */
    private static PrivateKey ec(byte[] sec1, String what) throws ClusterAccessException {
        try {
            Der.Element key = Der.parse(sec1);
            byte[] curve = null;
            for (Der.Element e : key.children()) {
                if (e.tag() == Der.CONTEXT_0) {
                    Der.Element oid = e.children().get(0);
                    if (oid.tag() == Der.OID) {
                        curve = oid.encoding();
                    }
                }
            }
            if (key.tag() != Der.SEQUENCE || curve == null) {
                throw new ClusterAccessException(what + ": EC PRIVATE KEY does not name its curve");
            }
            byte[] p8 = Der.tlv(Der.SEQUENCE, Der.smallInteger(0), Der.tlv(Der.SEQUENCE, EC_PUBLIC_KEY, curve),
                    Der.tlv(Der.OCTET_STRING, sec1));
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(p8));
        } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ClusterAccessException(what + ": malformed EC PRIVATE KEY");
        }
    }
}
