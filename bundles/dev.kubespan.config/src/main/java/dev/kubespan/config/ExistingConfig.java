package dev.kubespan.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * What lies at a node's config path before its first start, looked at without following a link
 * blindly: nothing, a file of this node, or a file reached through a symbolic (or second hard)
 * link, which the operator manages elsewhere. Anything that cannot be read as UTF-8 text is an
 * {@link IOException} whose message is a sentence naming the file and what is wrong, so that the
 * launcher never mistakes "cannot read" for "absent" and writes a new config over the operator's.
 *
 * <p>JDK only, like {@link ConfigGenerator}.
 */
final class ExistingConfig {
    /** Where the text came from. */
    enum Kind {
        /** Nothing at the path (not even a broken link). */
        ABSENT,
        /** A regular file with no other name: this node's own. */
        OWN_FILE,
        /** A symbolic link to a readable file, or a file with more than one hard link. */
        LINKED
    }

    private final Kind kind;
    private final String text;
    private final String what;

    private ExistingConfig(Kind kind, String text, String what) {
        this.kind = kind;
        this.text = text;
        this.what = what;
    }

    Kind kind() {
        return kind;
    }

    /** The file's text; null when absent. */
    String text() {
        return text;
    }

    /** For messages: e.g. "a symbolic link to /mnt/config/kubespan.yaml". */
    String what() {
        return what;
    }

    static ExistingConfig inspect(Path file) throws IOException {
        BasicFileAttributes own;
        try {
            own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            // Missing directories may be created, but not through a link that leads nowhere.
            Path existing = file.toAbsolutePath().getParent();
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing != null && !Files.isDirectory(existing)) {
                throw new IOException(file + " cannot be created: " + existing
                        + " is not a directory (or is a link that cannot be followed)");
            }
            return new ExistingConfig(Kind.ABSENT, null, "absent");
        } catch (IOException e) {
            throw new IOException(file + " cannot be examined: " + reason(e, file));
        }
        Kind kind = Kind.OWN_FILE;
        String what = "a file";
        Path target = file;
        if (own.isSymbolicLink()) {
            String link = linkText(file);
            try {
                target = file.toRealPath();
            } catch (NoSuchFileException e) {
                throw new IOException(file + " is a symbolic link to " + link
                        + ", which does not exist (is its file system mounted?)");
            } catch (IOException e) {
                throw new IOException(file + " is a symbolic link to " + link + " that cannot be followed: "
                        + (isLoop(e) ? "too many levels of symbolic links (the links form a loop)" : reason(e, file)));
            }
            kind = Kind.LINKED;
            what = "a symbolic link to " + target;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IOException(file + " (" + what + ") cannot be examined: " + reason(e, target));
        }
        if (attrs.isDirectory()) {
            throw new IOException(file + (target == file ? "" : " (" + what + ")") + " is a directory, not a file");
        }
        if (!attrs.isRegularFile()) {
            throw new IOException(file + (target == file ? "" : " (" + what + ")")
                    + " is not a regular file (a device, pipe or socket)");
        }
        if (kind == Kind.OWN_FILE && hardLinks(file) > 1) {
            kind = Kind.LINKED;
            what = "a file with " + hardLinks(file) + " hard links";
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(target);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + (target == file ? "" : " (" + what + ")") + ": "
                    + reason(e, target));
        }
        return new ExistingConfig(kind, utf8(file, bytes), what);
    }

    /** Strict UTF-8; a bad byte is named with its line and column. */
    private static String utf8(Path file, byte[] bytes) throws IOException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new IOException(file + " is not UTF-8 text: byte 0x"
                    + String.format(Locale.ROOT, "%02x", bytes[at] & 0xff) + " at line " + line + ", column "
                    + (at - lineStart + 1) + " is not valid UTF-8 (save the file as UTF-8)");
        }
        d.flush(out);
        return out.flip().toString();
    }

    private static String linkText(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    private static int hardLinks(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // not a Unix file system: no hard links to care about
        }
    }

    private static boolean isLoop(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null
                && f.getReason().toLowerCase(Locale.ROOT).contains("too many levels of symbolic links");
    }

    /** The operating system's reason, as words: "permission denied", "too many levels of symbolic links". */
    static String reason(IOException e, Path file) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null && !f.getReason().isBlank()) {
            String r = f.getReason();
            return Character.toLowerCase(r.charAt(0)) + r.substring(1);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() || m.equals(file.toString()) ? e.getClass().getSimpleName() : m;
    }
}
