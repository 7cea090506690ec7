package dev.kubespan.api;

/**
 * A write that the store refuses because another owner holds the resource type (or the
 * resource): each output has one writer, and a second writer is a bug, never a race to win.
 */
public final class OwnershipException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public OwnershipException(String message) {
        super(message);
    }
}
