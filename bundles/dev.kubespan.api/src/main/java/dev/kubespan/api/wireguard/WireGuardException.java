package dev.kubespan.api.wireguard;

import dev.kubespan.api.net.NetworkException;

/** A WireGuard operation failed; {@link #errno()} carries the device's or kernel's errno. */
public class WireGuardException extends NetworkException {
    private static final long serialVersionUID = 1L;

    public WireGuardException(String message, int errno) {
        super(message, errno);
    }

    public WireGuardException(String message, Throwable cause) {
        super(message, cause);
    }
}
