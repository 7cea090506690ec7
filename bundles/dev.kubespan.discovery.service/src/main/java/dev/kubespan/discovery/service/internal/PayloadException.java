package dev.kubespan.discovery.service.internal;

/**
 * Data from the discovery service that cannot be used: too short, failed authentication,
 * malformed protobuf, an impossible IP. The message names what is wrong and never carries key
 * material or plaintext.
 */
public final class PayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public PayloadException(String message) {
        super(message);
    }
}
