package dev.kubespan.discovery.kubernetes.internal;

/**
 * The API server cannot be reached with the configured access: a missing or malformed kubeconfig,
 * an unreadable certificate, an unsupported authentication method. The message names the file and
 * field at fault and never carries tokens or key material.
 */
public final class ClusterAccessException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClusterAccessException(String message) {
        super(message);
    }
}
