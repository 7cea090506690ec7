package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.ConfigStatus;
import dev.kubespan.config.LoadResult;

public class ConfigCommandsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final class FakeStatus implements ConfigStatus {
        LoadResult last;
        LoadResult applied;
        int reloads;

        @Override
        public LoadResult lastResult() {
            return last;
        }

        @Override
        public Optional<LoadResult> lastApplied() {
            return Optional.ofNullable(applied);
        }

        @Override
        public LoadResult reload() {
            reloads++;
            return last;
        }

        @Override
        public String configFile() {
            return "/opt/kubespan/etc/kubespan.yaml";
        }

        @Override
        public String sourceKind() {
            return "file";
        }
    }

    private static final LoadResult GOOD = new LoadResult(Instant.parse("2026-11-26T09:00:00Z"),
            "/opt/kubespan/etc/kubespan.yaml", true, List.of(), List.of());
    private static final LoadResult BAD = new LoadResult(Instant.parse("2026-11-26T09:10:00Z"),
            "/opt/kubespan/etc/kubespan.yaml", false,
            List.of(new ConfigProblem("/opt/kubespan/etc/kubespan.yaml", "KubeSpanConfig.mtu", 7, "must be >= 1280")),
            List.of());

    @Test
    public void genConfigWithKubeSpan() {
        String text = ConfigCommands.genConfig("--with-kubespan");
        assertTrue(text, text.contains("kind: DiscoveryIdentityConfig\n"));
        assertTrue(text, text.endsWith("kind: KubeSpanConfig\nenabled: true"));
        assertTrue(text, !ConfigCommands.genConfig().contains("kind: KubeSpanConfig"));
    }

    @Test
    public void genConfigErrorsBecomeIllegalArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigCommands.genConfig("--bogus"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("gen-config: unknown argument '--bogus'\nusage:"));
    }

    @Test
    public void genConfigToAFileIs0600() throws Exception {
        Path f = tmp.getRoot().toPath().resolve("kubespan.yaml");
        String text = ConfigCommands.genConfig("--with-kubespan", "-o", f.toString());
        assertEquals("gen-config: wrote " + f, text);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(f));
        assertTrue(Files.readString(f).contains("enabled: true"));
    }

    @Test
    public void statusShowsTheLastLoadAndWhatIsInForce() {
        FakeStatus s = new FakeStatus();
        s.last = BAD;
        s.applied = GOOD;
        ConfigCommands c = new ConfigCommands(s);
        assertEquals(String.join("\n",
                "source: file /opt/kubespan/etc/kubespan.yaml",
                "last load: " + BAD,
                "in force since: 2026-11-26T09:00:00Z (/opt/kubespan/etc/kubespan.yaml)"), c.configStatus());
        assertTrue(BAD.toString().contains("KubeSpanConfig.mtu (line 7): must be >= 1280"));
        s.last = GOOD;
        assertEquals("source: file /opt/kubespan/etc/kubespan.yaml\nlast load: " + GOOD, c.configStatus());
        c.configStatus("--reload");
        assertEquals(1, s.reloads);
        s.last = BAD;
        s.applied = null;
        assertTrue(c.configStatus().endsWith("\nno configuration has been accepted since the config bundle started"));
        assertThrows(IllegalArgumentException.class, () -> c.configStatus("--now"));
    }

    /** A rejected file with 160,000 errors: the first 100, then how many more, in a few kilobytes. */
    @Test
    public void statusOfAFileWithHundredsOfThousandsOfErrorsIsShortAndSaysHowManyMore() {
        List<ConfigProblem> errors = java.util.stream.IntStream.range(0, 160_000)
                .mapToObj(i -> new ConfigProblem("/opt/kubespan/etc/kubespan.yaml",
                        "KubeSpanConfig.filters.endpoints[" + i + "]", i + 7, "'1.2.3.4/99' is not a CIDR or IP"))
                .toList();
        FakeStatus s = new FakeStatus();
        s.last = new LoadResult(Instant.parse("2026-11-26T09:10:00Z"), "/opt/kubespan/etc/kubespan.yaml", false,
                errors, List.of());
        s.applied = GOOD;
        String text = new ConfigCommands(s).configStatus();
        List<String> lines = text.lines().toList();
        assertEquals("source: file /opt/kubespan/etc/kubespan.yaml", lines.get(0));
        assertTrue(lines.get(1), lines.get(1).startsWith("last load: rejected: ")
                && lines.get(1).endsWith("(160000 errors; the last good config stays in force)"));
        assertEquals("  error: /opt/kubespan/etc/kubespan.yaml: KubeSpanConfig.filters.endpoints[0] (line 7):"
                + " '1.2.3.4/99' is not a CIDR or IP", lines.get(2));
        assertTrue(lines.get(101), lines.get(101).contains("endpoints[99] (line 106)"));
        assertEquals("  ... and 159900 more errors (only the first 100 are listed)", lines.get(102));
        assertEquals("in force since: 2026-11-26T09:00:00Z (/opt/kubespan/etc/kubespan.yaml)", lines.get(103));
        assertEquals(104, lines.size());
    }

    @Test
    public void hyphenatedFunctionsBindThroughGogo() throws Exception {
        CommandProcessorImpl p = TestGogo.processor();
        try {
            FakeStatus s = new FakeStatus();
            s.last = GOOD;
            ConfigCommands c = new ConfigCommands(s);
            p.addCommand("kubespan", c, "gen-config");
            p.addCommand("kubespan", c, "config-status");
            CommandSession session = p.createSession(new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream(), new ByteArrayOutputStream());
            String text = (String) session.execute("kubespan:gen-config --with-kubespan");
            assertTrue(text, text.endsWith("enabled: true"));
            assertTrue(((String) session.execute("kubespan:config-status")).startsWith("source: file "));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> session.execute("kubespan:gen-config --discovery-endpoint ftp://x"));
            assertTrue(e.getMessage(), e.getMessage().startsWith("gen-config: discovery endpoint URL 'ftp://x'"));
            session.close();
        } finally {
            p.stop();
        }
    }
}
