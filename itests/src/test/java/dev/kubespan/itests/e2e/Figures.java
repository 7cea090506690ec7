package dev.kubespan.itests.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Measured figures of the end-to-end run: printed, and appended to target/e2e-figures.txt. */
final class Figures {
    private Figures() {
    }

    static void record(String name, String value) {
        String line = String.format("FIGURE %-55s %s", name, value);
        System.out.println(line);
        Path file = Path.of(System.getProperty("kubespan.itest.workdir")).getParent().resolve("e2e-figures.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot write " + file + ": " + e);
        }
    }

    static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
