package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.KeyFormatException;

/**
 * {@code kubespan-identity.yaml}: the node's WireGuard key pair, in the file Talos keeps on its
 * STATE partition (docs/kubespan-node.md §3.1). Written once, create-exclusive and 0600, with the
 * four keys in Talos' order; the address fields are written empty and ignored on load because
 * the address is always recomputed. A file that is present but unusable is an error: replacing
 * it would silently change the node's key, and every peer would drop it.
 */
final class IdentityFile {
    static final String FILE_NAME = "kubespan-identity.yaml";
    private static final int MAX_SIZE = 64 * 1024;

    /** The key pair; {@code created} is true when this call generated and wrote it. */
    record KeyPair(Key privateKey, Key publicKey, boolean created) {
        @Override
        public String toString() {
            return "KeyPair[publicKey=" + publicKey.toBase64() + ", created=" + created + "]";
        }
    }

    private IdentityFile() {
    }

    static Path path(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /** Loads the key pair from the state directory, generating and writing it when there is no file. */
    static KeyPair loadOrCreate(Path stateDir) throws IdentityFileException {
        Path file = path(stateDir);
        SecureFiles.removeStaleTemporaries(file);
        try {
            return load(file);
        } catch (NoSuchFileException absent) {
            // fall through to generate
        } catch (IOException e) {
            throw new IdentityFileException(file, "cannot read: " + e, e);
        }
        Key priv = Key.generatePrivateKey();
        Key pub = priv.publicKey();
        try {
            SecureFiles.createExclusive(file, render(priv, pub));
            return new KeyPair(priv, pub, true);
        } catch (FileAlreadyExistsException raced) {
            // Someone else created it between our read and our write: theirs wins.
            try {
                return load(file);
            } catch (IOException e) {
                throw new IdentityFileException(file, "cannot read: " + e, e);
            }
        } catch (IOException e) {
            throw new IdentityFileException(file, "cannot write a new identity: " + e, e);
        }
    }

    /** Reads an existing file; {@link NoSuchFileException} when there is none. */
    static KeyPair load(Path file) throws IOException, IdentityFileException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length > MAX_SIZE) {
            throw new IdentityFileException(file, "too large (" + raw.length + " bytes) for an identity file");
        }
        Map<String, String> fields;
        try {
            fields = FlatYaml.parse(decodeUtf8(raw));
        } catch (CharacterCodingException e) {
            throw new IdentityFileException(file, "corrupt: not UTF-8 text");
        } catch (IllegalArgumentException e) {
            throw new IdentityFileException(file, "corrupt: " + e.getMessage());
        }
        if (fields.values().stream().allMatch(String::isEmpty)) {
            throw new IdentityFileException(file, "holds an all-zero (empty) identity");
        }
        String privText = fields.getOrDefault("privateKey", "");
        if (privText.isEmpty()) {
            throw new IdentityFileException(file, "corrupt: no privateKey");
        }
        Key priv;
        try {
            priv = Key.fromBase64(privText);
        } catch (KeyFormatException e) {
            throw new IdentityFileException(file, "corrupt: privateKey is not a base64 WireGuard key (" + e.getMessage() + ")");
        }
        if (priv.isZero()) {
            throw new IdentityFileException(file, "holds an all-zero private key");
        }
        Key pub = priv.publicKey();
        String pubText = fields.getOrDefault("publicKey", "");
        if (!pubText.isEmpty()) {
            Key stored;
            try {
                stored = Key.fromBase64(pubText);
            } catch (KeyFormatException e) {
                throw new IdentityFileException(file, "corrupt: publicKey is not a base64 WireGuard key (" + e.getMessage() + ")");
            }
            if (!stored.equals(pub)) {
                throw new IdentityFileException(file, "corrupt: publicKey does not belong to privateKey");
            }
        }
        return new KeyPair(priv, pub, false);
    }

    /** The file content: exactly Talos' four keys in Talos' order. */
    static byte[] render(Key priv, Key pub) {
        String text = "address: \"\"\n"
                + "subnet: \"\"\n"
                + "privateKey: " + priv.toBase64() + "\n"
                + "publicKey: " + pub.toBase64() + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String decodeUtf8(byte[] raw) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    }
}
