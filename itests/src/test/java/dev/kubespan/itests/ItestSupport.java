package dev.kubespan.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;

/**
 * The Felix runtime of the distribution, provisioned from the reactor, with a KubeSpan home in
 * target/. Test JVMs run in their own network namespace (see src/test/sh/isolated-java), so the
 * links, routes and wireguard-go processes the agent creates never reach the host.
 */
public abstract class ItestSupport {

    @Inject
    protected BundleContext context;

    protected static Path home(String testName) {
        return Path.of(System.getProperty("kubespan.itest.workdir"), testName);
    }

    /** The runtime bundles and our reactor bundles; {@code yaml} becomes etc/kubespan.yaml. */
    protected static Option[] runtime(String testName, String yaml) {
        Path home = home(testName);
        try {
            deleteTree(home);
            Files.createDirectories(home.resolve("etc"));
            Files.writeString(home.resolve("etc/kubespan.yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare " + home, e);
        }
        List<Option> o = new ArrayList<>(List.of(
                frameworkProperty("kubespan.home").value(home.toString()),
                frameworkProperty("kubespan.state.dir").value(home.resolve("data/state").toString()),
                frameworkProperty("org.osgi.service.log.admin.loglevel").value("INFO"),
                frameworkProperty("kubespan.log.level").value("INFO"),
                systemProperty("jna.tmpdir").value(home.resolve("data/jna").toString()),
                mavenBundle("org.slf4j", "slf4j-api").versionAsInProject(),
                mavenBundle("org.slf4j", "slf4j-simple").versionAsInProject().noStart(),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.log").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind").versionAsInProject(),
                mavenBundle("org.yaml", "snakeyaml").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.dataformat", "jackson-dataformat-yaml").versionAsInProject(),
                mavenBundle("net.java.dev.jna", "jna").versionAsInProject(),
                junitBundles()));
        for (String jar : System.getProperty("kubespan.itest.bundles").split(",")) {
            o.add(bundle(new File(jar.trim()).toURI().toString()));
        }
        return options(o.toArray(new Option[0]));
    }

    /** Runs a command as root-equivalent test setup (we are root inside our own namespaces). */
    protected static void run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", argv) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the supplier yields a value, or fails with {@code what}. */
    protected static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
