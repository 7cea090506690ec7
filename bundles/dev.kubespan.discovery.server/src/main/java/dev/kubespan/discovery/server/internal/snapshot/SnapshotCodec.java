package dev.kubespan.discovery.server.internal.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import dev.kubespan.discovery.server.internal.state.Blob;
import dev.kubespan.discovery.server.internal.state.StateDump;

/**
 * Our snapshot file format, version 1 (big-endian, see README "Snapshot format"):
 *
 * <pre>
 * magic "KSDS" | u8 version=1 | u32 cluster count
 *   per cluster:   u16 id length | id (UTF-8) | u32 affiliate count
 *   per affiliate: u16 id length | id | s64 remaining ms | u32 data length | data | u16 endpoint count
 *   per endpoint:  u8 length | bytes | s64 remaining ms
 * u32 CRC-32 of everything before it
 * </pre>
 *
 * Expirations are stored as remaining lifetimes and restored relative to the load time.
 */
public final class SnapshotCodec {
    static final byte[] MAGIC = {'K', 'S', 'D', 'S'};
    static final int VERSION = 1;
    private static final int MAX_ID = 4096;
    private static final int MAX_DATA = 1 << 20;

    private SnapshotCodec() {
    }

    public static byte[] encode(StateDump dump) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeByte(VERSION);
        out.writeInt(dump.clusters().size());
        for (StateDump.ClusterDump c : dump.clusters()) {
            writeString(out, c.id());
            out.writeInt(c.affiliates().size());
            for (StateDump.AffiliateDump a : c.affiliates()) {
                writeString(out, a.id());
                out.writeLong(a.remainingMillis());
                out.writeInt(a.data().size());
                out.write(a.data().unsafeBytes());
                out.writeShort(a.endpoints().size());
                for (StateDump.EndpointDump e : a.endpoints()) {
                    if (e.data().size() > 255) {
                        throw new IOException("endpoint of " + e.data().size() + " bytes cannot be stored");
                    }
                    out.writeByte(e.data().size());
                    out.write(e.data().unsafeBytes());
                    out.writeLong(e.remainingMillis());
                }
            }
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /** Decodes a whole file; any damage (bad magic, version, CRC, truncation) is an IOException. */
    public static StateDump decode(byte[] file) throws IOException {
        if (file.length < MAGIC.length + 1 + 4 + 4) {
            throw new IOException("snapshot too short (" + file.length + " bytes)");
        }
        if (!Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw new IOException("not a discovery snapshot (bad magic)");
        }
        if (file[MAGIC.length] != VERSION) {
            throw new IOException("unsupported snapshot version " + file[MAGIC.length]);
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        int stored = ((file[file.length - 4] & 0xff) << 24) | ((file[file.length - 3] & 0xff) << 16)
                | ((file[file.length - 2] & 0xff) << 8) | (file[file.length - 1] & 0xff);
        if (stored != (int) crc.getValue()) {
            throw new IOException("snapshot checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(
                new java.io.ByteArrayInputStream(file, MAGIC.length + 1, file.length - MAGIC.length - 1 - 4))) {
            int clusters = count(in.readInt(), "cluster");
            List<StateDump.ClusterDump> out = new ArrayList<>(Math.min(clusters, 1024));
            for (int i = 0; i < clusters; i++) {
                String id = readString(in);
                int affiliates = count(in.readInt(), "affiliate");
                List<StateDump.AffiliateDump> as = new ArrayList<>(Math.min(affiliates, 1024));
                for (int j = 0; j < affiliates; j++) {
                    String aid = readString(in);
                    long remaining = in.readLong();
                    int len = in.readInt();
                    if (len < 0 || len > MAX_DATA) {
                        throw new IOException("affiliate data length " + len + " out of range");
                    }
                    Blob data = Blob.wrap(in.readNBytes(len));
                    if (data.size() != len) {
                        throw new EOFException("truncated affiliate data");
                    }
                    int endpoints = in.readUnsignedShort();
                    List<StateDump.EndpointDump> es = new ArrayList<>(endpoints);
                    for (int k = 0; k < endpoints; k++) {
                        int elen = in.readUnsignedByte();
                        byte[] e = in.readNBytes(elen);
                        if (e.length != elen) {
                            throw new EOFException("truncated endpoint");
                        }
                        es.add(new StateDump.EndpointDump(Blob.wrap(e), in.readLong()));
                    }
                    as.add(new StateDump.AffiliateDump(aid, data, remaining, es));
                }
                out.add(new StateDump.ClusterDump(id, as));
            }
            if (in.read() != -1) {
                throw new IOException("trailing bytes after the last cluster");
            }
            return new StateDump(out);
        }
    }

    private static int count(int n, String what) throws IOException {
        if (n < 0) {
            throw new IOException(what + " count " + n + " out of range");
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_ID) {
            throw new IOException("ID of " + b.length + " bytes cannot be stored");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static String readString(InputStream in) throws IOException {
        int len = new DataInputStream(in).readUnsignedShort();
        if (len > MAX_ID) {
            throw new IOException("ID length " + len + " out of range");
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new EOFException("truncated ID");
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
