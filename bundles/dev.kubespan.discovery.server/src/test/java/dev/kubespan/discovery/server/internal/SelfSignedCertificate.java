package dev.kubespan.discovery.server.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed EC certificate for localhost/127.0.0.1, made with the JDK's keytool and exported
 * to PEM with plain JDK APIs (no openssl, no BouncyCastle).
 */
final class SelfSignedCertificate {
    private SelfSignedCertificate() {
    }

    /** Returns {certificate PEM, PKCS#8 private key PEM}. */
    static Path[] create(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Files.deleteIfExists(store);
        char[] pw = "changeit".toCharArray();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "server",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pw)));
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
        return new Path[] {certPem, keyPem};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }
}
