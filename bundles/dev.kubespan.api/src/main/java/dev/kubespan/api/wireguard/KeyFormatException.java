package dev.kubespan.api.wireguard;

/** A key that does not parse; the message says which format and why, never the key itself. */
public class KeyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(message);
    }
}
