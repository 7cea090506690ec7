package dev.kubespan.identity.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.api.wireguard.Key;

public class IdentityFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private Path dir;
    private Path file;

    @Before
    public void setUp() {
        dir = tmp.getRoot().toPath();
        file = dir.resolve("kubespan-identity.yaml");
    }

    @Test
    public void newFileHasTalosFourKeysInOrderAndMode0600() throws Exception {
        IdentityFile.KeyPair k = IdentityFile.loadOrCreate(dir);
        assertTrue(k.created());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals("address: \"\"\nsubnet: \"\"\nprivateKey: " + k.privateKey().toBase64() + "\npublicKey: "
                + k.publicKey().toBase64() + "\n", text);
        assertEquals(k.privateKey().publicKey(), k.publicKey());
        // nothing but the file is left behind (the temporary file is gone)
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    public void temporaryFilesOfAKilledWriterAreRemovedAndOthersKept() throws Exception {
        // what a writer SIGKILLed between its temporary file and the link leaves (CrashMidWriteE2EIT)
        Files.writeString(dir.resolve(".kubespan-identity.yaml.0a1b2c3d4e5f.tmp"), "privateKey: secret\n");
        Files.writeString(dir.resolve(".node-identity.yaml.0a1b2c3d4e5f.tmp"), "nodeId: x\n");
        Files.writeString(dir.resolve("notes.tmp"), "the operator's\n");
        IdentityFile.KeyPair first = IdentityFile.loadOrCreate(dir);
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(".node-identity.yaml.0a1b2c3d4e5f.tmp", "kubespan-identity.yaml", "notes.tmp"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // also when the file exists already (killed after the link, before the temporary file was removed)
        Files.writeString(dir.resolve(".kubespan-identity.yaml.ffffffffffff.tmp"), "privateKey: secret\n");
        assertEquals(first.publicKey(), IdentityFile.loadOrCreate(dir).publicKey());
        assertFalse(Files.exists(dir.resolve(".kubespan-identity.yaml.ffffffffffff.tmp")));
    }

    @Test
    public void generatedPrivateKeyIsClamped() throws Exception {
        byte[] b = IdentityFile.loadOrCreate(dir).privateKey().bytes();
        assertEquals(0, b[0] & 7);
        assertEquals(0x40, b[31] & 0xc0);
    }

    @Test
    public void stableAcrossLoadsAndFileUnchanged() throws Exception {
        IdentityFile.KeyPair first = IdentityFile.loadOrCreate(dir);
        byte[] before = Files.readAllBytes(file);
        IdentityFile.KeyPair second = IdentityFile.loadOrCreate(dir);
        IdentityFile.KeyPair third = IdentityFile.loadOrCreate(dir);
        assertFalse(second.created());
        assertEquals(first.privateKey(), second.privateKey());
        assertEquals(first.publicKey(), third.publicKey());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    public void createIsExclusive() throws Exception {
        Files.writeString(file, "existing");
        assertThrows(FileAlreadyExistsException.class,
                () -> SecureFiles.createExclusive(file, "new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("existing", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    public void readsATalosWrittenFileWithAddressesAndIgnoresThem() throws Exception {
        Key priv = Key.generatePrivateKey();
        Files.writeString(file, "address: fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128\n"
                + "subnet: fd7f:175a:b97c:5602::/64\n"
                + "privateKey: " + priv.toBase64() + "\n"
                + "publicKey: " + priv.publicKey().toBase64() + "\n");
        IdentityFile.KeyPair k = IdentityFile.loadOrCreate(dir);
        assertEquals(priv, k.privateKey());
        assertFalse(k.created());
    }

    @Test
    public void derivesAMissingPublicKey() throws Exception {
        Key priv = Key.generatePrivateKey();
        Files.writeString(file, "privateKey: '" + priv.toBase64() + "'\n");
        assertEquals(priv.publicKey(), IdentityFile.loadOrCreate(dir).publicKey());
    }

    @Test
    public void corruptFileIsAnErrorNamingTheFileAndIsNeverOverwritten() throws Exception {
        String garbage = "address: \"\"\nsubnet: \"\"\nprivateKey: this-is-not-a-key\npublicKey: \n";
        Files.writeString(file, garbage);
        FileTime mtime = Files.getLastModifiedTime(file);
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().startsWith(file + ": corrupt: privateKey is not a base64"));
        assertEquals(file, e.file());
        assertEquals(garbage, Files.readString(file));
        assertEquals(mtime, Files.getLastModifiedTime(file));
    }

    @Test
    public void nonYamlIsCorrupt() throws Exception {
        Files.write(file, new byte[] { 0, 1, 2, (byte) 0xff, '\n' });
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().startsWith(file + ": corrupt"));
        Files.writeString(file, "privateKey:\n  nested: value\n");
        e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("line 2: unexpected indentation"));
    }

    @Test
    public void emptyOrAllEmptyFieldsAreAnAllZeroIdentity() throws Exception {
        for (String zero : new String[] { "", "\n", "address: \"\"\nsubnet: \"\"\nprivateKey: \"\"\npublicKey: \"\"\n" }) {
            Files.writeString(file, zero);
            IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
            assertEquals(file + ": holds an all-zero (empty) identity", e.getMessage());
            assertEquals(zero, Files.readString(file));
        }
    }

    @Test
    public void allZeroPrivateKeyIsAnError() throws Exception {
        String zeroKey = Key.fromBytes(new byte[32]).toBase64();
        Files.writeString(file, "privateKey: " + zeroKey + "\n");
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertEquals(file + ": holds an all-zero private key", e.getMessage());
    }

    @Test
    public void publicKeyOfAnotherPairIsAnErrorAndTheMessageHasNoKey() throws Exception {
        Key priv = Key.generatePrivateKey();
        Key other = Key.generatePrivateKey().publicKey();
        Files.writeString(file, "privateKey: " + priv.toBase64() + "\npublicKey: " + other.toBase64() + "\n");
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertEquals(file + ": corrupt: publicKey does not belong to privateKey", e.getMessage());
        assertFalse(e.getMessage().contains(priv.toBase64()));
    }

    @Test
    public void duplicateKeysAreCorrupt() throws Exception {
        Key priv = Key.generatePrivateKey();
        Files.writeString(file, "privateKey: " + priv.toBase64() + "\nprivateKey: " + priv.toBase64() + "\n");
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> IdentityFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().endsWith("line 2: duplicate key 'privateKey'"));
        assertFalse(e.getMessage().contains(priv.toBase64()));
    }

    @Test
    public void keyPairToStringHidesThePrivateKey() throws Exception {
        IdentityFile.KeyPair k = IdentityFile.loadOrCreate(dir);
        assertFalse(k.toString().contains(k.privateKey().toBase64()));
    }

    @Test
    public void stateDirectoryIsCreated0700() throws Exception {
        Path state = dir.resolve("a/b/state");
        SecureFiles.ensureDirectory(state);
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(state));
        SecureFiles.ensureDirectory(state);
        Files.writeString(dir.resolve("plain"), "x");
        assertThrows(java.io.IOException.class, () -> SecureFiles.ensureDirectory(dir.resolve("plain")));
    }

    @Test
    public void stateDirectoryDefaults() {
        assertEquals(Path.of("/cfg"), StateDirectory.resolve(" /cfg ", k -> "/ignored"));
        assertEquals(Path.of("/fw/state"),
                StateDirectory.resolve("", k -> k.equals("kubespan.state.dir") ? "/fw/state" : "/home"));
        assertEquals(Path.of("/opt/ks/data/state"),
                StateDirectory.resolve(null, k -> k.equals("kubespan.home") ? "/opt/ks" : null));
        assertEquals(Path.of("data/state"), StateDirectory.resolve("", k -> null));
    }
}
