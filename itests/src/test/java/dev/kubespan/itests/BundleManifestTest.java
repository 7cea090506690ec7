package dev.kubespan.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * Every bundle of the build exports exactly its declared API: the packages of its
 * {@code src/main/java} that carry a {@code package-info.java} with {@code @Version}, at that
 * version, and nothing else — no {@code .internal} package, no unversioned package, nothing
 * pulled in from an embedded jar. The grpc bundle also exports the grpc-java and protobuf API its
 * consumers compile against, and only that (guava, gson, perfmark, netty and its shaded jctools
 * stay private). Reads the bundles the build packaged ({@code target/<module>-<version>.jar}), so
 * it runs after them in the reactor.
 */
public class BundleManifestTest {
    private static final Path ROOT = Path.of(System.getProperty("kubespan.itest.root", ".."));
    private static final Pattern VERSION = Pattern.compile("@(?:org\\.osgi\\.annotation\\.versioning\\.)?Version\\(\"([^\"]+)\"\\)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

    /** What the grpc bundle re-exports of grpc-java and protobuf-java (bundles/dev.kubespan.discovery.grpc/README.md). */
    private static final List<String> GRPC_API = List.of("io.grpc", "io.grpc.stub", "io.grpc.stub.annotations",
            "io.grpc.protobuf", "io.grpc.protobuf.lite", "com.google.protobuf");

    @Test
    public void everyBundleExportsExactlyItsDeclaredApi() throws IOException {
        List<Path> modules = bundleModules();
        assertTrue("found only " + modules, modules.size() >= 13);
        List<String> problems = new ArrayList<>();
        for (Path module : modules) {
            String name = module.getFileName().toString();
            Map<String, String> declared = declaredApi(module);
            Map<String, String> exported = exports(bundleJar(module));
            Map<String, String> ours = new TreeMap<>(exported);
            if (name.equals("dev.kubespan.discovery.grpc")) {
                for (String p : GRPC_API) {
                    if (ours.remove(p) == null) {
                        problems.add(name + " does not export " + p + " (its consumers compile against it)");
                    }
                }
            }
            if (!ours.equals(declared)) {
                problems.add(name + " exports " + ours + " but declares " + declared);
            }
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());
    }

    @Test
    public void theGrpcBundleKeepsNettyAndGuavaPrivate() throws IOException {
        Map<String, String> exported = exports(bundleJar(ROOT.resolve("bundles/dev.kubespan.discovery.grpc")));
        assertFalse(exported.toString(), exported.keySet().stream().anyMatch(p -> p.startsWith("io.grpc.netty")
                || p.startsWith("com.google.common") || p.startsWith("com.google.gson") || p.startsWith("io.perfmark")
                || p.startsWith("io.grpc.internal")));
    }

    /**
     * The one netlink codec is the net bundle's only export, and WireGuard takes it from there
     * instead of carrying a copy (bundles/dev.kubespan.net/README.md).
     */
    @Test
    public void theNetlinkCodecIsExportedOnceAndImportedByWireGuard() throws IOException {
        assertEquals(Map.of("dev.kubespan.net.netlink", "1.0.0"), exports(bundleJar(ROOT.resolve("bundles/dev.kubespan.net"))));
        Path wireguard = bundleJar(ROOT.resolve("bundles/dev.kubespan.wireguard"));
        assertEquals(Map.of(), exports(wireguard));
        String imports = String.valueOf(header(wireguard, "Import-Package"));
        assertTrue(imports, imports.contains("dev.kubespan.net.netlink;version=\"[1.0,2)\""));
        try (JarFile j = new JarFile(wireguard.toFile())) {
            assertTrue("the wireguard bundle carries netlink classes of its own",
                    j.stream().noneMatch(e -> e.getName().contains("/netlink/") || e.getName().contains("/rtnl/")));
        }
    }

    /** Modules that build a bundle (bnd-maven-plugin), our own test-support jar excepted. */
    private static List<Path> bundleModules() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String parent : List.of("bundles", "gogo-commands")) {
            try (Stream<Path> s = Files.list(ROOT.resolve(parent))) {
                s.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).sorted().forEach(d -> {
                    try {
                        if (Files.readString(d.resolve("pom.xml")).contains("<artifactId>bnd-maven-plugin</artifactId>")) {
                            out.add(d);
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        return out;
    }

    /** Package → version of every {@code package-info.java} with {@code @Version} outside {@code .internal}. */
    private static Map<String, String> declaredApi(Path module) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path src = module.resolve("src/main/java");
        if (!Files.isDirectory(src)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path info : s.filter(p -> p.getFileName().toString().equals("package-info.java")).toList()) {
                String text = Files.readString(info);
                Matcher v = VERSION.matcher(text);
                Matcher p = PACKAGE.matcher(text);
                if (v.find() && p.find() && !p.group(1).contains(".internal")) {
                    out.put(p.group(1), v.group(1));
                }
            }
        }
        return out;
    }

    private static Path bundleJar(Path module) throws IOException {
        String name = module.getFileName().toString();
        try (Stream<Path> s = Files.list(module.resolve("target"))) {
            List<Path> jars = s.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith(name + "-") && f.endsWith(".jar") && !f.endsWith("-sources.jar")
                        && !f.endsWith("-tests.jar");
            }).toList();
            assertEquals(name + ": one packaged bundle in target/ (run the reactor build first)", 1, jars.size());
            return jars.get(0);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AssertionError(name + " has not been built: no " + module.resolve("target"), e);
        }
    }

    /** Package → version of the Export-Package header. */
    static Map<String, String> exports(Path jar) throws IOException {
        String header = header(jar, "Export-Package");
        Map<String, String> out = new TreeMap<>();
        if (header == null) {
            return out;
        }
        for (String clause : splitOutsideQuotes(header)) {
            String[] parts = clause.split(";");
            String version = "0.0.0";
            for (String part : parts) {
                String t = part.trim();
                if (t.startsWith("version=")) {
                    version = t.substring("version=".length()).replace("\"", "");
                }
            }
            out.put(parts[0].trim(), version);
        }
        return out;
    }

    /** A main manifest header, or null. */
    private static String header(Path jar, String name) throws IOException {
        Manifest m;
        try (JarFile j = new JarFile(jar.toFile())) {
            m = j.getManifest();
        }
        return m.getMainAttributes().getValue(name);
    }

    private static List<String> splitOutsideQuotes(String header) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            parts.add(cur.toString());
        }
        return parts;
    }
}
