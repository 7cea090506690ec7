package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** Owner-only files and directories for secrets. */
final class SecureFiles {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecureFiles() {
    }

    /** Creates the directory (and missing parents) as 0700; an existing directory is left as it is. */
    static void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }

    /**
     * Writes a new 0600 file, failing with {@link FileAlreadyExistsException} when it exists.
     * The content goes to a temporary file first and is then hard-linked into place, so the
     * target either does not exist or is complete: a crash mid-write can not leave a truncated
     * key file that would then be refused on every start.
     */
    static void createExclusive(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(temporaryPrefix(target) + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try {
            write(tmp, content);
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException noHardLinks) {
                // Some file systems (FAT, some overlays) have no hard links: fall back to a
                // direct exclusive create, which is still never an overwrite.
                write(target, content);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    /**
     * Deletes what a writer of {@code target} killed between its temporary file and the link left
     * behind ({@code .<name>.<hex>.tmp}): a secret in a stray file otherwise, for good. Each file in
     * the state directory has one writer, its controller, which calls this before it reads or
     * writes its file, so no write in progress is removed. Returns the names removed.
     */
    static java.util.List<String> removeStaleTemporaries(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = temporaryPrefix(target);
        java.util.List<String> removed = new java.util.ArrayList<>();
        try (var files = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp");
        })) {
            for (Path p : files) {
                if (Files.deleteIfExists(p)) {
                    removed.add(p.getFileName().toString());
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // nothing to clear (no directory yet), or it cannot be read: the write reports that
        }
        return removed;
    }

    private static String temporaryPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /** Whether group or others may read, write or execute the file. */
    static boolean tooOpen(Path file) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        p.removeAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        return !p.isEmpty();
    }

    private static void write(Path file, byte[] content) throws IOException {
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                mode)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: not every platform can fsync a directory
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }
}
