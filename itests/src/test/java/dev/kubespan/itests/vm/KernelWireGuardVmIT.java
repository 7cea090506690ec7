package dev.kubespan.itests.vm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The kernel WireGuard backend against a real kernel WireGuard: runs {@code itests/kernel-vm/run.sh},
 * which boots Debian's kernel under QEMU (TCG), shares this machine's root into it read-only and
 * runs {@code KernelWireGuardVmCheck} there (two namespaces, handshake, ping, 1000 peers). The
 * script's exit status is the verdict; its output (the VM console) is streamed to this test's
 * output. This test fails, never skips, when the VM cannot run: install the VM dependencies and
 * the kernel cache with {@code scripts/install-vm-deps} first (the test JVM has no network).
 *
 * <p>The jars under test are the ones on this test's class path (the reactor-built wireguard, net and
 * api bundles, and JNA), so the pom needs nothing extra for it.
 */
public class KernelWireGuardVmIT {
    private static final long TIMEOUT_MINUTES = 12;

    @Test
    public void kernelBackendPassesItsChecksInsideTheVm() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path script = basedir.resolve("kernel-vm/run.sh");
        assertTrue(script + " is missing", Files.isRegularFile(script));

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("KUBESPAN_VM_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("KUBESPAN_VM_WG_JAR", jarOf("dev.kubespan.wireguard.internal.kernel.KernelBackend"));
        env.put("KUBESPAN_VM_NET_JAR", jarOf("dev.kubespan.net.netlink.NetlinkSocket"));
        env.put("KUBESPAN_VM_API_JAR", jarOf("dev.kubespan.api.wireguard.Key"));
        env.put("KUBESPAN_VM_TEST_JAR", jarOf("dev.kubespan.test.Netns"));
        env.put("KUBESPAN_VM_JNA_JAR", jarOf("com.sun.jna.Native"));
        env.put("KUBESPAN_VM_WORK", basedir.resolve("target/kernel-vm").toString());

        long start = System.nanoTime();
        Process p = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Thread reader = new Thread(() -> {
                try {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        System.out.println(line);
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > 60) {
                                tail.removeFirst();
                            }
                        }
                    }
                } catch (IOException e) {
                    System.out.println("reading run.sh output failed: " + e);
                }
            }, "kernel-vm-output");
            reader.start();
            boolean finished = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!finished) {
                // run.sh and its timeout/qemu children: the whole tree, by pid
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
            String last;
            synchronized (tail) {
                last = String.join("\n", tail);
            }
            System.out.println("kernel-vm step took " + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertTrue("run.sh did not finish within " + TIMEOUT_MINUTES + " min:\n" + last, finished);
            assertEquals("run.sh failed; its last lines:\n" + last + "\n", 0, p.exitValue());
        }
    }

    /** The jar (or classes directory) the class was loaded from. */
    private static String jarOf(String className) throws ClassNotFoundException, URISyntaxException {
        Class<?> c = Class.forName(className, false, KernelWireGuardVmIT.class.getClassLoader());
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
