package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach one API server: its URL, the CA to trust (empty: the JDK's default trust store),
 * and the credentials. Equality is by value, so a re-read kubeconfig that did not change keeps the
 * existing HTTP client. {@link #toString()} never shows the token or key.
 *
 * @param source where this came from, for status and log lines (a file path or "in-cluster")
 */
public record ClusterAccess(URI server, List<X509Certificate> certificateAuthorities, Credentials credentials,
        String source) {

    public ClusterAccess {
        certificateAuthorities = List.copyOf(certificateAuthorities);
    }

    /** How the client authenticates. */
    public sealed interface Credentials {
    }

    /** A fixed bearer token. */
    public record Token(String token) implements Credentials {
        @Override
        public String toString() {
            return "Token[<redacted>]";
        }
    }

    /** A bearer token read from a file before every request (projected service account tokens rotate). */
    public record TokenFile(Path path) implements Credentials {
    }

    /** A TLS client certificate (chain, leaf first) and its key. */
    public record ClientCertificate(List<X509Certificate> chain, PrivateKey key) implements Credentials {
        public ClientCertificate {
            chain = List.copyOf(chain);
        }

        @Override
        public String toString() {
            return "ClientCertificate[" + chain.get(0).getSubjectX500Principal().getName() + "]";
        }
    }

    /** No credentials: only useful against an API server that allows anonymous access. */
    public record Anonymous() implements Credentials {
    }

    /** The bearer token to send, if the credentials are a token. */
    public Optional<String> bearerToken() throws ClusterAccessException {
        if (credentials instanceof Token t) {
            return Optional.of(t.token());
        }
        if (credentials instanceof TokenFile f) {
            try {
                String token = Files.readString(f.path(), StandardCharsets.UTF_8).trim();
                if (token.isEmpty()) {
                    throw new ClusterAccessException("token file " + f.path() + " is empty");
                }
                return Optional.of(token);
            } catch (IOException e) {
                throw new ClusterAccessException("cannot read token file " + f.path() + ": " + e);
            }
        }
        return Optional.empty();
    }

    /** TLS trusting the cluster CA, presenting the client certificate if there is one. */
    public SSLContext sslContext() throws ClusterAccessException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (certificateAuthorities.isEmpty()) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificateAuthorities) {
                    trust.setCertificateEntry("ca-" + i++, ca);
                }
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (credentials instanceof ClientCertificate cc) {
                char[] password = new char[16];
                SecureRandom random = new SecureRandom();
                for (int i = 0; i < password.length; i++) {
                    password[i] = (char) ('a' + random.nextInt(26));
                }
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", cc.key(), password, cc.chain().toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new ClusterAccessException(source + ": cannot set up TLS with the configured CA and client"
                    + " certificate (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public String toString() {
        return "ClusterAccess[" + server + " from " + source + ", " + credentials + "]";
    }
}
