package dev.kubespan.identity.internal;

import java.nio.file.Path;

/**
 * A state file that exists but cannot be used, or cannot be written. The message always names
 * the file and never contains key material.
 */
final class IdentityFileException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    IdentityFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    IdentityFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    Path file() {
        return file;
    }
}
