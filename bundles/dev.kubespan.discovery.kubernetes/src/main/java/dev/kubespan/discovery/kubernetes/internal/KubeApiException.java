package dev.kubespan.discovery.kubernetes.internal;

/**
 * The API server answered with an error: an HTTP status, or an ERROR event in a watch stream.
 * The message is the server's {@code Status} text, which names no credentials.
 */
public final class KubeApiException extends Exception {
    private static final long serialVersionUID = 1L;
    /** The requested resource version is too old: relist. */
    public static final int GONE = 410;

    private final int code;

    public KubeApiException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
