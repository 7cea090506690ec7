package dev.kubespan.config.internal;

import static dev.kubespan.config.internal.Fixtures.yaml;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.config.ConfigGenerator;

public class ConfigGeneratorTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static void assert32Bytes(String b64) {
        assertEquals(44, b64.length());
        assertEquals(32, Base64.getDecoder().decode(b64).length);
    }

    @Test
    public void withoutKubeSpanOnlyIdentityAndDiscovery() {
        String text = ConfigGenerator.generate(false, null);
        assertFalse(text, text.contains("KubeSpanConfig"));
        EffectiveConfig c = yaml(text).ok();
        KubeSpanConfig k = c.kubeSpan();
        assertFalse(k.enabled());
        assert32Bytes(k.clusterId());
        assert32Bytes(k.sharedSecret());
        assertNotEquals(k.clusterId(), k.sharedSecret());
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "discovery.talos.dev:443", false)),
                c.discovery().serviceEndpoints());
    }

    @Test
    public void withKubeSpanForTheApplianceAndItsEmbeddedDiscovery() {
        String text = ConfigGenerator.generate(true, ConfigGenerator.EMBEDDED_DISCOVERY_ENDPOINT);
        EffectiveConfig c = yaml(text).ok();
        assertTrue(c.kubeSpan().enabled());
        assert32Bytes(c.kubeSpan().clusterId());
        assert32Bytes(c.kubeSpan().sharedSecret());
        assertEquals(List.of(new DiscoveryServiceEndpoint("default", "127.0.0.1:3000", true)),
                c.discovery().serviceEndpoints());
        EffectiveConfig other = yaml(ConfigGenerator.generate(true, null)).ok();
        assertNotEquals(c.kubeSpan().clusterId(), other.kubeSpan().clusterId());
        assertNotEquals(c.kubeSpan().sharedSecret(), other.kubeSpan().sharedSecret());
    }

    @Test
    public void badEndpointsAndArgumentsAreUsageErrors() {
        assertThrows(IllegalArgumentException.class, () -> ConfigGenerator.generate(true, "ftp://x/"));
        assertThrows(IllegalArgumentException.class, () -> ConfigGenerator.generate(true, "http://x/ #"));
        assertEquals(2, run("--bogus").code);
        assertEquals(2, run("--discovery-endpoint").code);
        assertEquals(2, run("--init", "a", "--output", "b").code);
        Run bad = run("--discovery-endpoint", "discovery.example.org:443");
        assertEquals(2, bad.code);
        assertTrue(bad.err, bad.err.contains("must start with http://, https:// or grpc://"));
        Run help = run("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("usage: gen-config"));
    }

    @Test
    public void outputFileIsPrivateAndNotOverwrittenWithoutForce() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("etc/kubespan.yaml");
        Run first = run("--with-kubespan", "--output", file.toString());
        assertEquals(first.err, 0, first.code);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file);
        assertTrue(yaml(content).ok().kubeSpan().enabled());

        Run again = run("-o", file.toString());
        assertEquals(1, again.code);
        assertTrue(again.err.contains("use --force"));
        assertEquals(content, Files.readString(file));

        assertEquals(0, run("-o", file.toString(), "--force").code);
        assertNotEquals(content, Files.readString(file));
        assertEquals(1, tmp.getRoot().toPath().resolve("etc").toFile().list().length);
    }

    @Test
    public void initCreatesAMissingFile() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("etc/kubespan.yaml");
        Run r = run("--init", file.toString(), "--with-kubespan", "--discovery-endpoint", "http://127.0.0.1:3000/");
        assertEquals(r.err, 0, r.code);
        assertTrue(r.out, r.out.contains("created"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        EffectiveConfig c = yaml(Files.readString(file)).ok();
        assertTrue(c.kubeSpan().enabled());
        assertEquals("127.0.0.1:3000", c.discovery().serviceEndpoints().get(0).endpoint());
    }

    @Test
    public void replicasOfOneServiceMayShareTheUrl() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("etc/kubespan.yaml");
        Run r = run("--init", file.toString(), "--discovery-endpoint", "http://10.0.0.1:3000,10.0.0.2:3000/");
        assertEquals(r.err, 0, r.code);
        assertEquals("10.0.0.1:3000,10.0.0.2:3000",
                yaml(Files.readString(file)).ok().discovery().serviceEndpoints().get(0).endpoint());
        Run bad = run("--discovery-endpoint", "http://10.0.0.1:3000,,10.0.0.2:3000/");
        assertEquals(2, bad.code);
        assertTrue(bad.err, bad.err.contains("empty entry"));
    }

    @Test
    public void initAddsAnIdentityToTheShippedTemplateAndKeepsTheRest() throws Exception {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../../etc/kubespan.yaml").normalize();
        Path file = tmp.newFolder("etc").toPath().resolve("kubespan.yaml");
        String template = Files.readString(shipped).replace("# mtu: 1420 ", "mtu: 1400   ");
        Files.writeString(file, template);
        assertFalse(ConfigGenerator.hasIdentity(template));

        assertEquals(ConfigGenerator.InitOutcome.IDENTITY_ADDED,
                ConfigGenerator.init(file, true, ConfigGenerator.EMBEDDED_DISCOVERY_ENDPOINT));
        String updated = Files.readString(file);
        assertTrue("the operator's file is kept", updated.startsWith(template));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        EffectiveConfig c = yaml(updated).ok();
        assertTrue(c.kubeSpan().enabled());
        assertEquals(1400, c.kubeSpan().mtu());
        assert32Bytes(c.kubeSpan().clusterId());
        assert32Bytes(c.kubeSpan().sharedSecret());
        assertTrue(ConfigGenerator.hasIdentity(updated));

        Run again = run("--init", file.toString(), "--with-kubespan");
        assertEquals(0, again.code);
        assertTrue(again.out, again.out.contains("already has a cluster identity"));
        assertEquals("a second run changes nothing", updated, Files.readString(file));
    }

    /** What a run SIGKILLed between its temporary file and the rename left (CrashMidWriteE2EIT) is cleared. */
    @Test
    public void initRemovesTheTemporaryFilesOfAKilledRunAndNothingElse() throws Exception {
        Path dir = tmp.newFolder("etc").toPath();
        Path file = dir.resolve("kubespan.yaml");
        Files.writeString(dir.resolve(".kubespan.yaml8312948123.tmp"), "clusterSecret: of a dead run\n");
        Files.writeString(dir.resolve(".kubespan.yaml.swp.tmp"), "an editor's\n");
        Files.writeString(dir.resolve(".other.yaml123.tmp"), "not ours\n");
        assertEquals(ConfigGenerator.InitOutcome.CREATED,
                ConfigGenerator.init(file, true, ConfigGenerator.EMBEDDED_DISCOVERY_ENDPOINT));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(".kubespan.yaml.swp.tmp", ".other.yaml123.tmp", "kubespan.yaml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A link whose target is on a file system that is not mounted yet: refused, the link stays. */
    @Test
    public void initNeverReplacesABrokenLink() throws Exception {
        Path dir = tmp.newFolder("etc").toPath();
        Path file = dir.resolve("kubespan.yaml");
        Path target = Path.of("/mnt/kubespan-not-mounted/kubespan.yaml");
        Files.createSymbolicLink(file, target);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> ConfigGenerator.init(file, true, ConfigGenerator.EMBEDDED_DISCOVERY_ENDPOINT));
        assertEquals(file + " is a symbolic link to " + target + ", which does not exist (is its file system"
                + " mounted?)", e.getMessage());
        assertLinkUnchanged(file, target);

        Run r = run("--init", file.toString(), "--with-kubespan");
        assertEquals(1, r.code);
        assertEquals("gen-config: " + file + " is a symbolic link to " + target + ", which does not exist (is its"
                + " file system mounted?); nothing was changed.\n", r.err);
        assertEquals("", r.out);
        assertLinkUnchanged(file, target);

        Run out = run("--output", file.toString());
        assertEquals(1, out.code);
        assertEquals("gen-config: " + file + " exists (perhaps as a link); use --force to replace it.\n", out.err);
        assertLinkUnchanged(file, target);
    }

    @Test
    public void initNeverReplacesALinkLoop() throws Exception {
        Path dir = tmp.newFolder("etc").toPath();
        Path file = dir.resolve("kubespan.yaml");
        Files.createSymbolicLink(dir.resolve("b.yaml"), file);
        Files.createSymbolicLink(file, dir.resolve("b.yaml"));
        Run r = run("--init", file.toString(), "--with-kubespan");
        assertEquals(1, r.code);
        assertEquals("gen-config: " + file + " is a symbolic link to " + dir.resolve("b.yaml") + " that cannot be"
                + " followed: too many levels of symbolic links (the links form a loop); nothing was changed.\n",
                r.err);
        assertLinkUnchanged(file, dir.resolve("b.yaml"));
    }

    /** A link to a readable config: with an identity it is used as it is; without one it is left alone. */
    @Test
    public void initLeavesALinkedConfigAsItIs() throws Exception {
        Path dir = tmp.newFolder("etc").toPath();
        Path elsewhere = tmp.newFolder("mnt").toPath().resolve("kubespan.yaml");
        Path file = dir.resolve("kubespan.yaml");
        Files.createSymbolicLink(file, elsewhere);
        String withIdentity = ConfigGenerator.generate(true, null);
        Files.writeString(elsewhere, withIdentity);
        assertEquals(ConfigGenerator.InitOutcome.UNCHANGED, ConfigGenerator.init(file, true, null));
        assertLinkUnchanged(file, elsewhere);

        String noIdentity = "apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n";
        Files.writeString(elsewhere, noIdentity);
        assertEquals(ConfigGenerator.InitOutcome.LEFT_ALONE, ConfigGenerator.init(file, true, null));
        assertLinkUnchanged(file, elsewhere);
        assertEquals(noIdentity, Files.readString(elsewhere));
        Run r = run("--init", file.toString());
        assertEquals(0, r.code);
        assertTrue(r.out, r.out.contains("is a link to a file managed elsewhere, so it is left as it is"));

        // A second hard link is a file managed elsewhere too: replacing it would split the two names.
        Files.delete(file);
        Files.createLink(file, elsewhere);
        assertEquals(ConfigGenerator.InitOutcome.LEFT_ALONE, ConfigGenerator.init(file, true, null));
        assertEquals(noIdentity, Files.readString(elsewhere));
        assertEquals(noIdentity, Files.readString(file));
    }

    @Test
    public void initRefusesAFileItCannotUse() throws Exception {
        Path dir = tmp.newFolder("etc").toPath();
        Path file = dir.resolve("kubespan.yaml");
        byte[] latin1 = "# r\u00e9seau\napiVersion: v1alpha1\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        Run r = run("--init", file.toString());
        assertEquals(1, r.code);
        assertEquals("gen-config: " + file + " is not UTF-8 text: byte 0xe9 at line 1, column 4 is not valid UTF-8"
                + " (save the file as UTF-8); nothing was changed.\n", r.err);
        assertTrue(java.util.Arrays.equals(latin1, Files.readAllBytes(file)));

        Files.writeString(file, "  \n");
        r = run("--init", file.toString());
        assertEquals(1, r.code);
        assertEquals("gen-config: " + file + " is empty; restore its content, or remove it to have a new cluster"
                + " identity generated; nothing was changed.\n", r.err);
        assertEquals("  \n", Files.readString(file));

        Files.delete(file);
        Files.createDirectory(file);
        r = run("--init", file.toString());
        assertEquals(1, r.code);
        assertEquals("gen-config: " + file + " is a directory, not a file; nothing was changed.\n", r.err);

        // A missing directory is created, but not through a link to a file system that is not mounted.
        Path unmounted = tmp.getRoot().toPath().resolve("unmounted");
        Files.createSymbolicLink(unmounted, Path.of("/mnt/kubespan-not-mounted"));
        Path noDir = unmounted.resolve("etc/kubespan.yaml");
        r = run("--init", noDir.toString());
        assertEquals(1, r.code);
        assertEquals("gen-config: " + noDir + " cannot be created: " + unmounted + " is not a directory (or is a"
                + " link that cannot be followed); nothing was changed.\n", r.err);
        assertLinkUnchanged(unmounted, Path.of("/mnt/kubespan-not-mounted"));
        assertEquals("no temporary file is left behind", List.of("kubespan.yaml"),
                List.of(dir.toFile().list()));
    }

    private static void assertLinkUnchanged(Path link, Path target) throws Exception {
        assertTrue(link + " is still a link", Files.isSymbolicLink(link));
        assertEquals(target, Files.readSymbolicLink(link));
        assertEquals("no temporary file is left behind", 0, Files.list(link.getParent())
                .filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
    }

    @Test
    public void identityDetection() {
        assertTrue(ConfigGenerator.hasIdentity("cluster:\n  id: abc\n  secret: " + Fixtures.SECRET + "\n"));
        assertTrue(ConfigGenerator.hasIdentity("---\napiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\n"));
        assertFalse(ConfigGenerator.hasIdentity("# kind: DiscoveryIdentityConfig\n#   secret: abc\n"));
        assertFalse(ConfigGenerator.hasIdentity("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n"));
        assertFalse(ConfigGenerator.hasIdentity("cluster:\n  secret:\n"));
    }

    /** The launcher runs the generator with plain {@code java -cp}: no OSGi framework, no Jackson. */
    @Test
    public void mainRunsWithOnlyTheJdk() throws Exception {
        Path classes = Path.of(ConfigGenerator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", classes.toString(), ConfigGenerator.class.getName(),
                "--with-kubespan", "--discovery-endpoint", "http://127.0.0.1:3000/")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        EffectiveConfig c = yaml(out).ok();
        assertTrue(c.kubeSpan().enabled());
        assertEquals("127.0.0.1:3000", c.discovery().serviceEndpoints().get(0).endpoint());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigGenerator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
