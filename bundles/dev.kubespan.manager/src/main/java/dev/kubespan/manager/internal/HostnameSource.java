package dev.kubespan.manager.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The kernel's host name (what {@code hostname} prints), with the JDK's view as a fallback. */
final class HostnameSource implements Supplier<String> {
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    @Override
    public String get() {
        try {
            String s = new String(Files.readAllBytes(KERNEL_HOSTNAME), StandardCharsets.UTF_8).trim();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | SecurityException e) {
            // not Linux, or /proc not mounted: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
