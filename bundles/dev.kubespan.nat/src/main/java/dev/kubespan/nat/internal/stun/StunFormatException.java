package dev.kubespan.nat.internal.stun;

/** A datagram that is not a well-formed STUN message or TURN ChannelData frame; it is dropped. */
public final class StunFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public StunFormatException(String message) {
        super(message);
    }
}
