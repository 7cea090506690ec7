package dev.kubespan.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class NodeIdFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void base62OfThirtyTwoBytesIsFortyThreeCharacters() {
        assertEquals(43, Base62.width(32));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String id = NodeIdFile.generate();
            assertEquals(43, id.length());
            assertTrue(id, id.matches("[0-9A-Za-z]{43}"));
            seen.add(id);
        }
        assertEquals(200, seen.size());
    }

    @Test
    public void base62IsTheNumberInBaseSixtyTwo() {
        byte[] zero = new byte[32];
        assertEquals("0".repeat(43), Base62.encode(zero));
        byte[] max = new byte[32];
        Arrays.fill(max, (byte) 0xff);
        String top = Base62.encode(max);
        assertEquals(43, top.length());
        assertEquals(BigInteger.TWO.pow(256).subtract(BigInteger.ONE), decode(top));
        assertEquals("1z", Base62.encode(new byte[] { 0, 123 }).substring(1)); // 123 = 1*62 + 61
    }

    @Test
    public void createsOnceAndLoadsTheSameIdAgain() throws Exception {
        Path dir = tmp.getRoot().toPath();
        NodeIdFile.NodeId first = NodeIdFile.loadOrCreate(dir);
        NodeIdFile.NodeId second = NodeIdFile.loadOrCreate(dir);
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.value(), second.value());
        assertEquals("nodeId: " + first.value() + "\n",
                Files.readString(dir.resolve("node-identity.yaml"), StandardCharsets.UTF_8));
        assertEquals(SecureFiles.FILE_MODE, Files.getPosixFilePermissions(dir.resolve("node-identity.yaml")));
    }

    @Test
    public void readsAQuotedId() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("node-identity.yaml"), "nodeId: \"abcDEF123\"\n");
        assertEquals("abcDEF123", NodeIdFile.loadOrCreate(dir).value());
    }

    @Test
    public void corruptFileIsAnErrorNamingTheFileAndIsKept() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path f = dir.resolve("node-identity.yaml");
        Files.writeString(f, "nodeId: not/base62!\n");
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> NodeIdFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().startsWith(f.toString() + ": corrupt"));
        assertEquals("nodeId: not/base62!\n", Files.readString(f));
    }

    @Test
    public void emptyFileIsAnError() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("node-identity.yaml"), "");
        IdentityFileException e = assertThrows(IdentityFileException.class, () -> NodeIdFile.loadOrCreate(dir));
        assertTrue(e.getMessage(), e.getMessage().endsWith("corrupt: no nodeId"));
    }

    @Test
    public void twoDirectoriesGetDifferentIds() throws Exception {
        assertNotEquals(NodeIdFile.loadOrCreate(tmp.newFolder("a").toPath()).value(),
                NodeIdFile.loadOrCreate(tmp.newFolder("b").toPath()).value());
    }

    private static BigInteger decode(String s) {
        BigInteger n = BigInteger.ZERO;
        for (char c : s.toCharArray()) {
            n = n.multiply(BigInteger.valueOf(62)).add(BigInteger.valueOf(Base62.ALPHABET.indexOf(c)));
        }
        return n;
    }
}
