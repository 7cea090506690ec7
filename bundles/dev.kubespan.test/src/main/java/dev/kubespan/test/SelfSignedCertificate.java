package dev.kubespan.test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A self-signed EC certificate for localhost and 127.0.0.1, made with the JDK's keytool and
 * exported to PEM with plain JDK APIs (no openssl, no BouncyCastle): what a TLS server under test
 * is given.
 *
 * @param certificate the certificate, PEM
 * @param privateKey its PKCS#8 private key, PEM
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {

    /** Creates {@code server.crt} and {@code server.key} in {@code dir}. */
    public static SelfSignedCertificate create(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Files.deleteIfExists(store);
        char[] pw = "changeit".toCharArray();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Processes.run(Duration.ofSeconds(60), List.of(keytool, "-genkeypair", "-keyalg", "EC", "-groupname",
                "secp256r1", "-alias", "server", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pw)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pw);
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", pw);
        Certificate cert = ks.getCertificate("server");
        Path certPem = dir.resolve("server.crt");
        Path keyPem = dir.resolve("server.key");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new SelfSignedCertificate(certPem, keyPem);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
