package dev.kubespan.net.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A recorded kernel reply from {@code src/test/resources/netlink/<name>.hex} (written by
 * {@link NetlinkFixtureRecorder}): '#' lines are comments, every other line is one datagram.
 * Expected bytes written by hand go through {@link dev.kubespan.test.Hex}.
 */
public final class HexFixture {
    private HexFixture() {
    }

    public static List<byte[]> datagrams(String name) {
        try (InputStream in = HexFixture.class.getResourceAsStream("/netlink/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture netlink/" + name + ".hex");
            }
            List<byte[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(HexFormat.of().parseHex(line.trim()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All messages of all datagrams, in order. */
    public static List<NetlinkMessage> messages(String name) {
        List<NetlinkMessage> out = new ArrayList<>();
        for (byte[] d : datagrams(name)) {
            out.addAll(NetlinkMessage.parseAll(d, d.length));
        }
        return out;
    }
}
