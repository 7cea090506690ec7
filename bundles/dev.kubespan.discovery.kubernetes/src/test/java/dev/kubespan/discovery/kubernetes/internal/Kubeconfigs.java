package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Writes kubeconfig files as kubectl, kubeadm or talosctl would. */
final class Kubeconfigs {
    private Kubeconfigs() {
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The {@code user:} body for a bearer token. */
    static String token(String token) {
        return "    token: " + token + "\n";
    }

    /** The {@code user:} body for a client certificate given inline ({@code -data}). */
    static String certificateData(String certPem, String keyPem) {
        return "    client-certificate-data: " + b64(certPem) + "\n    client-key-data: " + b64(keyPem) + "\n";
    }

    static Path write(Path file, URI server, String caPem, String userBody) throws IOException {
        String yaml = "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: other\n"
                + "  cluster:\n"
                + "    server: https://192.0.2.1:6443\n"
                + "- name: test\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "    certificate-authority-data: " + b64(caPem) + "\n"
                + "contexts:\n"
                + "- name: other@other\n"
                + "  context:\n"
                + "    cluster: other\n"
                + "    user: other\n"
                + "- name: node@test\n"
                + "  context:\n"
                + "    cluster: test\n"
                + "    user: node\n"
                + "current-context: node@test\n"
                + "users:\n"
                + "- name: other\n"
                + "  user:\n"
                + "    token: not-this-one\n"
                + "- name: node\n"
                + "  user:\n"
                + userBody;
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
