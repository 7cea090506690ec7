package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a kubeconfig file the way kubectl does for the subset this registry supports: the
 * current context's cluster ({@code server}, {@code certificate-authority[-data]}) and user
 * ({@code token}, {@code tokenFile}, or {@code client-certificate[-data]} +
 * {@code client-key[-data]}). Relative file references resolve against the kubeconfig's folder.
 * Anything that would need code execution or weaker TLS ({@code exec}, {@code auth-provider},
 * {@code insecure-skip-tls-verify}) is refused with a message naming the field.
 */
final class KubeConfigFile {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> UNSUPPORTED_CLUSTER = List.of("insecure-skip-tls-verify", "tls-server-name",
            "proxy-url");
    private static final List<String> UNSUPPORTED_USER = List.of("exec", "auth-provider", "username", "password",
            "as", "impersonate");

    private KubeConfigFile() {
    }

    static ClusterAccess load(Path file) throws ClusterAccessException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ClusterAccessException("kubeconfig " + file + " does not exist");
        } catch (IOException e) {
            throw new ClusterAccessException("cannot read kubeconfig " + file + ": " + e.getMessage());
        }
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ClusterAccessException("kubeconfig " + file + " is not valid YAML: " + detail);
        }
        return parse(root, file);
    }

    static ClusterAccess parse(JsonNode root, Path file) throws ClusterAccessException {
        String where = "kubeconfig " + file;
        if (root == null || !root.isObject()) {
            throw new ClusterAccessException(where + " is not a YAML mapping");
        }
        String contextName = text(root, "current-context");
        JsonNode contexts = root.path("contexts");
        if (contextName.isEmpty()) {
            if (contexts.size() != 1) {
                throw new ClusterAccessException(where + ": current-context is not set");
            }
            contextName = text(contexts.get(0), "name");
        }
        JsonNode context = named(contexts, contextName, "context", where + ": context '" + contextName + "'");
        String clusterName = text(context, "cluster");
        String userName = text(context, "user");
        JsonNode cluster = named(root.path("clusters"), clusterName, "cluster",
                where + ": cluster '" + clusterName + "' of context '" + contextName + "'");
        String clusterWhere = where + ": cluster '" + clusterName + "'";
        for (String f : UNSUPPORTED_CLUSTER) {
            if (cluster.hasNonNull(f) && !(cluster.get(f).isBoolean() && !cluster.get(f).asBoolean())) {
                throw new ClusterAccessException(clusterWhere + ": " + f + " is not supported");
            }
        }
        URI server = server(text(cluster, "server"), clusterWhere);
        Path dir = file.toAbsolutePath().getParent();
        List<X509Certificate> cas = List.of();
        byte[] caPem = pemBytes(cluster, "certificate-authority", dir, clusterWhere);
        if (caPem != null) {
            cas = Pem.certificates(caPem, clusterWhere + ": certificate-authority");
        }

        ClusterAccess.Credentials credentials = new ClusterAccess.Anonymous();
        if (!userName.isEmpty()) {
            JsonNode user = named(root.path("users"), userName, "user",
                    where + ": user '" + userName + "' of context '" + contextName + "'");
            credentials = credentials(user, dir, where + ": user '" + userName + "'");
        }
        return new ClusterAccess(server, cas, credentials, file.toString());
    }

    private static ClusterAccess.Credentials credentials(JsonNode user, Path dir, String where)
            throws ClusterAccessException {
        for (String f : UNSUPPORTED_USER) {
            if (user.hasNonNull(f)) {
                throw new ClusterAccessException(where + ": '" + f + "' authentication is not supported (use a"
                        + " token, tokenFile or client certificate)");
            }
        }
        byte[] certPem = pemBytes(user, "client-certificate", dir, where);
        byte[] keyPem = pemBytes(user, "client-key", dir, where);
        if (certPem != null || keyPem != null) {
            if (certPem == null || keyPem == null) {
                throw new ClusterAccessException(where + ": client-certificate and client-key must be given together");
            }
            List<X509Certificate> chain = Pem.certificates(certPem, where + ": client-certificate");
            PrivateKey key = Pem.privateKey(keyPem, where + ": client-key");
            return new ClusterAccess.ClientCertificate(chain, key);
        }
        String token = text(user, "token");
        if (!token.isEmpty()) {
            return new ClusterAccess.Token(token);
        }
        String tokenFile = text(user, "tokenFile");
        if (!tokenFile.isEmpty()) {
            return new ClusterAccess.TokenFile(dir.resolve(tokenFile));
        }
        return new ClusterAccess.Anonymous();
    }

    static URI server(String text, String where) throws ClusterAccessException {
        if (text.isEmpty()) {
            throw new ClusterAccessException(where + ": server is not set");
        }
        try {
            URI u = new URI(text);
            if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                throw new ClusterAccessException(where + ": server '" + text + "' is not an https:// URL");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new ClusterAccessException(where + ": server '" + text + "' must not have a query");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ClusterAccessException(where + ": server '" + text + "' is not a URL");
        }
    }

    /** {@code <field>-data} (base64 of PEM text) or {@code <field>} (a file); null when neither is set. */
    private static byte[] pemBytes(JsonNode node, String field, Path dir, String where)
            throws ClusterAccessException {
        String data = text(node, field + "-data");
        if (!data.isEmpty()) {
            try {
                return Base64.getMimeDecoder().decode(data);
            } catch (IllegalArgumentException e) {
                throw new ClusterAccessException(where + ": " + field + "-data is not valid base64");
            }
        }
        String path = text(node, field);
        if (path.isEmpty()) {
            return null;
        }
        Path p = dir.resolve(path);
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new ClusterAccessException(where + ": " + field + " file " + p + " does not exist");
        } catch (IOException e) {
            throw new ClusterAccessException(where + ": cannot read " + field + " file " + p + ": " + e.getMessage());
        }
    }

    /** The {@code <kind>} mapping of the list entry called {@code name}. */
    private static JsonNode named(JsonNode list, String name, String kind, String what) throws ClusterAccessException {
        if (name.isEmpty()) {
            throw new ClusterAccessException(what + " is not named");
        }
        for (JsonNode entry : list) {
            if (name.equals(text(entry, "name"))) {
                JsonNode body = entry.path(kind);
                if (!body.isObject()) {
                    throw new ClusterAccessException(what + " has no '" + kind + "' mapping");
                }
                return body;
            }
        }
        throw new ClusterAccessException(what + " is not defined");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? "" : v.asText().trim();
    }
}
