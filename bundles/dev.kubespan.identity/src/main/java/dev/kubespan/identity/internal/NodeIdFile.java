package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

/**
 * {@code node-identity.yaml}: the node ID, base62 of 32 random bytes (docs/kubespan-node.md §2.6).
 * Peers know the node by it, so like the key file it is created once and an unusable file is an
 * error rather than a reason to pick a new ID.
 */
final class NodeIdFile {
    static final String FILE_NAME = "node-identity.yaml";
    static final int RANDOM_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The node ID; {@code created} is true when this call generated and wrote it. */
    record NodeId(String value, boolean created) {
    }

    private NodeIdFile() {
    }

    static Path path(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    static String generate() {
        byte[] b = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(b);
        return Base62.encode(b);
    }

    static NodeId loadOrCreate(Path stateDir) throws IdentityFileException {
        Path file = path(stateDir);
        SecureFiles.removeStaleTemporaries(file);
        try {
            return new NodeId(load(file), false);
        } catch (NoSuchFileException absent) {
            // fall through to generate
        } catch (IOException e) {
            throw new IdentityFileException(file, "cannot read: " + e, e);
        }
        String id = generate();
        try {
            SecureFiles.createExclusive(file, ("nodeId: " + id + "\n").getBytes(StandardCharsets.UTF_8));
            return new NodeId(id, true);
        } catch (FileAlreadyExistsException raced) {
            try {
                return new NodeId(load(file), false);
            } catch (IOException e) {
                throw new IdentityFileException(file, "cannot read: " + e, e);
            }
        } catch (IOException e) {
            throw new IdentityFileException(file, "cannot write a new node ID: " + e, e);
        }
    }

    static String load(Path file) throws IOException, IdentityFileException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length > 4096) {
            throw new IdentityFileException(file, "too large (" + raw.length + " bytes) for a node identity file");
        }
        Map<String, String> fields;
        try {
            fields = FlatYaml.parse(IdentityFile.decodeUtf8(raw));
        } catch (CharacterCodingException e) {
            throw new IdentityFileException(file, "corrupt: not UTF-8 text");
        } catch (IllegalArgumentException e) {
            throw new IdentityFileException(file, "corrupt: " + e.getMessage());
        }
        String id = fields.getOrDefault("nodeId", "");
        if (id.isEmpty()) {
            throw new IdentityFileException(file, "corrupt: no nodeId");
        }
        if (!Base62.isBase62(id)) {
            throw new IdentityFileException(file, "corrupt: nodeId is not base62 text");
        }
        return id;
    }
}
