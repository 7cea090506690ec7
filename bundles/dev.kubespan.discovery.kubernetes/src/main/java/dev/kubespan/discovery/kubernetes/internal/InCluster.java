package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The pod's service account: API server from {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}, CA
 * and token from the mounted secret. The token is re-read for every request, since projected
 * tokens are rotated by the kubelet.
 */
final class InCluster {
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    static final String SOURCE = "in-cluster";

    private InCluster() {
    }

    static boolean detected(Map<String, String> env) {
        return !env.getOrDefault("KUBERNETES_SERVICE_HOST", "").isBlank();
    }

    static ClusterAccess load(Map<String, String> env, Path dir) throws ClusterAccessException {
        String host = env.getOrDefault("KUBERNETES_SERVICE_HOST", "").trim();
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "").trim();
        if (host.isEmpty() || port.isEmpty()) {
            throw new ClusterAccessException("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are"
                    + " not set (not running in a pod?)");
        }
        if (!port.matches("\\d{1,5}")) {
            throw new ClusterAccessException("in-cluster: KUBERNETES_SERVICE_PORT '" + port + "' is not a port");
        }
        String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        URI server = KubeConfigFile.server("https://" + authority, "in-cluster");
        Path ca = dir.resolve("ca.crt");
        Path token = dir.resolve("token");
        byte[] caPem;
        try {
            caPem = Files.readAllBytes(ca);
        } catch (NoSuchFileException e) {
            throw new ClusterAccessException("in-cluster: " + ca + " does not exist (no service account mounted?)");
        } catch (IOException e) {
            throw new ClusterAccessException("in-cluster: cannot read " + ca + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(token)) {
            throw new ClusterAccessException("in-cluster: " + token + " does not exist (no service account mounted?)");
        }
        return new ClusterAccess(server, Pem.certificates(caPem, "in-cluster: " + ca),
                new ClusterAccess.TokenFile(token), SOURCE);
    }
}
