package dev.kubespan.api.net;

/** A failed operation on the host's network; {@code errno} is the kernel's, or 0 when none applies. */
public class NetworkException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NetworkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The positive errno (e.g. 17 for EEXIST), or 0. */
    public int errno() {
        return errno;
    }
}
