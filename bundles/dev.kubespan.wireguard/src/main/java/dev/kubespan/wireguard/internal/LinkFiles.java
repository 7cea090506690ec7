package dev.kubespan.wireguard.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One small file per link in the runtime directory ({@code <dir>/<link><suffix>}), by which the
 * next instance of a backend (after a bundle update or an agent restart) finds the links it is to
 * adopt. The directory is a tmpfs that survives updates and vanishes on reboot, like the links.
 */
public final class LinkFiles {
    private final Path dir;
    private final String suffix;

    public LinkFiles(Path dir, String suffix) {
        this.dir = dir;
        this.suffix = suffix;
    }

    public Path dir() {
        return dir;
    }

    /** Replaces the link's file atomically. */
    public void write(String link, String text) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(link + suffix + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(link + suffix), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    public Optional<String> read(String link) {
        try {
            return Optional.of(Files.readString(dir.resolve(link + suffix), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A stale file is harmless (adoption verifies the link), so failures are ignored. */
    public void delete(String link) {
        try {
            Files.deleteIfExists(dir.resolve(link + suffix));
        } catch (IOException e) {
            // see above
        }
    }

    /** The links that have a file, sorted. */
    public List<String> links() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                out.add(name.substring(0, name.length() - suffix.length()));
            }
        } catch (IOException e) {
            // nothing to adopt then
        }
        out.sort(null);
        return out;
    }
}
