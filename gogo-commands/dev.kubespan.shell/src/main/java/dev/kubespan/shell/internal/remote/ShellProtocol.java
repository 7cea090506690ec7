package dev.kubespan.shell.internal.remote;

/**
 * The local shell socket's protocol: the client sends one command line ending in a newline and
 * keeps the connection open; the server streams what the command prints, then a last line
 * {@code TRAILER<exit code>}. Closing the connection interrupts the command (e.g. a watch).
 */
final class ShellProtocol {
    static final String TRAILER = "\u0000kubespan-exit:";

    private ShellProtocol() {
    }
}
