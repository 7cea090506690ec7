package dev.kubespan.discovery.server.internal.snapshot;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.discovery.server.internal.state.Blob;
import dev.kubespan.discovery.server.internal.state.StateDump;

public class SnapshotFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static StateDump sample() {
        return new StateDump(List.of(new StateDump.ClusterDump("cluster-é",
                List.of(new StateDump.AffiliateDump("a", Blob.copyOf(new byte[] {1, 2, 3}), 1234,
                        List.of(new StateDump.EndpointDump(Blob.copyOf(new byte[16]), 99))),
                        new StateDump.AffiliateDump("b", Blob.EMPTY, -5, List.of())))));
    }

    @Test
    public void roundTripThroughTheFile() throws IOException {
        SnapshotFile f = new SnapshotFile(tmp.getRoot().toPath().resolve("sub/state.bin"));
        assertFalse(f.load().isPresent());
        long size = f.save(sample());
        assertEquals(Files.size(f.path()), size);
        assertFalse(Files.exists(f.path().resolveSibling("state.bin.tmp")));
        StateDump back = f.load().get().dump();
        assertEquals(sample(), back);
    }

    @Test
    public void headerIsMagicAndVersion() throws IOException {
        byte[] bytes = SnapshotCodec.encode(new StateDump(List.of()));
        assertArrayEquals(new byte[] {'K', 'S', 'D', 'S', 1, 0, 0, 0, 0}, java.util.Arrays.copyOf(bytes, 9));
        assertEquals(13, bytes.length); // + CRC-32
    }

    @Test
    public void damagedFilesAreRejected() throws IOException {
        byte[] good = SnapshotCodec.encode(sample());
        for (int i : new int[] {0, 4, 10, good.length - 1}) {
            byte[] bad = good.clone();
            bad[i] ^= 0x40;
            try {
                SnapshotCodec.decode(bad);
                fail("byte " + i + " flipped but accepted");
            } catch (IOException expected) {
                assertTrue(expected.getMessage(), !expected.getMessage().isEmpty());
            }
        }
        try {
            SnapshotCodec.decode(java.util.Arrays.copyOf(good, good.length - 7));
            fail("truncated file accepted");
        } catch (IOException expected) {
            // checksum or length error
        }
        Path p = tmp.newFile("garbage").toPath();
        Files.writeString(p, "not a snapshot at all");
        try {
            new SnapshotFile(p).load();
            fail();
        } catch (IOException expected) {
            assertTrue(expected.getMessage().contains("magic"));
        }
    }
}
