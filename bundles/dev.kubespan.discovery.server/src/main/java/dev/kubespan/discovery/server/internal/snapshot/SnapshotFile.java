package dev.kubespan.discovery.server.internal.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import dev.kubespan.discovery.server.internal.state.StateDump;

/**
 * The snapshot on disk. Saving writes {@code <path>.tmp}, forces it to disk and renames it over
 * the file, so a crash leaves either the old or the new snapshot, never a torn one.
 */
public final class SnapshotFile {
    private final Path path;

    public SnapshotFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Writes the dump; returns the number of bytes written. */
    public long save(StateDump dump) throws IOException {
        byte[] bytes = SnapshotCodec.encode(dump);
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // A disk that filled up mid-write leaves a partial temporary file: give its space back
            // (the last good snapshot stays as it is).
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (dir != null) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException notPossible) {
                // best effort: the rename is made durable where the platform allows it
            }
        }
        return bytes.length;
    }

    /** The stored dump, or empty when there is no file yet; a damaged file is an IOException. */
    public Optional<Loaded> load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
        return Optional.of(new Loaded(SnapshotCodec.decode(bytes), bytes.length));
    }

    public record Loaded(StateDump dump, long sizeBytes) {
    }
}
