package dev.kubespan.discovery.server.internal.state;

import java.util.Arrays;

/** Immutable opaque bytes compared by content: endpoint ciphertexts are de-duplicated by equality. */
public final class Blob {
    public static final Blob EMPTY = new Blob(new byte[0]);

    private final byte[] bytes;
    private final int hash;

    private Blob(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps a copy of {@code bytes}. */
    public static Blob copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Blob(bytes.clone());
    }

    /** Wraps {@code bytes} without copying; the caller must not change them afterwards. */
    public static Blob wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Blob(bytes);
    }

    public int size() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The bytes themselves, for writers that do not keep or change them. */
    public byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Blob b && b.hash == hash && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "Blob[" + bytes.length + " bytes]";
    }
}
