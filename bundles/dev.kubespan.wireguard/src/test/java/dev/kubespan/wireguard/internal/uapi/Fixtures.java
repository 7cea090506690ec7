package dev.kubespan.wireguard.internal.uapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The UAPI replies recorded from the real wireguard-go (src/test/resources/uapi/README.md). */
final class Fixtures {
    private Fixtures() {
    }

    static String uapi(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/uapi/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /uapi/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
