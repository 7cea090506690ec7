package dev.kubespan.wireguard.internal.uapi;

/** Names for the errno values wireguard-go sends back (wireguard.md §4.4). */
public final class UapiErrno {
    public static final int EIO = 5;
    public static final int EINVAL = 22;
    public static final int EPROTO = 71;
    public static final int EADDRINUSE = 98;
    public static final int ECONNREFUSED = 111;
    public static final int ENOENT = 2;
    public static final int ETIMEDOUT = 110;

    private UapiErrno() {
    }

    public static String describe(int errno) {
        return switch (errno) {
        case 0 -> "success";
        case ENOENT -> "ENOENT";
        case EIO -> "EIO (daemon failed to read or write the socket)";
        case EINVAL -> "EINVAL (invalid key or value)";
        case 55 -> "unexpected daemon error";
        case EPROTO -> "EPROTO (malformed line)";
        case EADDRINUSE -> "EADDRINUSE (listen port in use, or fwmark failed)";
        default -> "errno " + errno;
        };
    }
}
