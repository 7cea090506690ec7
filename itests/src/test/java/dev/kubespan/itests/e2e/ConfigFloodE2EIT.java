package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A running agent whose etc/kubespan.yaml is replaced by a 2.4 MB file with 160,000 errors (one
 * per bad list item): the last good config stays, {@code kubespan:config-status} answers with
 * the first 100 errors and how many more, the rejection is one log line of a few kilobytes, and
 * the agent's resident memory is printed before and after. (Before the bound: the status command
 * answered {@code Error: java.lang.reflect.InvocationTargetException}, the log line was 29 MB and
 * RSS went from 113 to 336 MiB.)
 */
public class ConfigFloodE2EIT {
    private static final int BAD_ITEMS = 160_000;
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("config-flood");
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void aConfigWithHundredsOfThousandsOfErrorsIsRejectedWithABoundedReport() throws Exception {
        lab.config("node1", Mesh.kubeSpanConfig("mtu: 1400"));
        lab.start("node1", 1);
        Mesh.await("node1 applied its config", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(lab.shell("node1", "kubespan:config-status").contains("last load: ok"),
                        lab.shell("node1", "kubespan:config-status")));
        long kscVersion = kscVersion();
        Thread.sleep(5000); // let the start settle before measuring
        long rssBefore = lab.agentRssKib("node1");

        StringBuilder flood = new StringBuilder("filters:\n  endpoints:\n");
        for (int i = 0; i < BAD_ITEMS; i++) {
            flood.append("    - 1.2.3.4/99\n");
        }
        lab.editConfig("node1", Mesh.kubeSpanConfig("mtu: 1380", flood.toString()));
        long size = Files.size(lab.home("node1").resolve("etc/kubespan.yaml"));
        Mesh.await("config-status reports the rejection", Duration.ofSeconds(60),
                () -> Mesh.Seen.of(lab.shell("node1", "kubespan:config-status").contains("(160000 errors;"),
                        lab.shell("node1", "kubespan:config-status").lines().limit(3).toList()));
        Thread.sleep(3000);
        long rssAfter = lab.agentRssKib("node1");

        String status = lab.shell("node1", "kubespan:config-status");
        List<String> lines = status.lines().toList();
        assertTrue(lines.get(1), lines.get(1).startsWith("last load: rejected: ")
                && lines.get(1).endsWith("(160000 errors; the last good config stays in force)"));
        assertTrue(lines.get(2), lines.get(2).contains("KubeSpanConfig.filters.endpoints[0] (line ")
                && lines.get(2).contains("'1.2.3.4/99' is not a CIDR or IP"));
        assertTrue(status, status.contains("\n  ... and 159900 more errors (only the first 100 are listed)\n"));
        assertTrue(status, lines.get(lines.size() - 1).startsWith("in force since: "));
        assertEquals(status, 104, lines.size());
        assertEquals("the last good config stays in force", kscVersion, kscVersion());
        assertEquals(1400, ((Number) lab.spec("node1", "ksc").get("mtu")).intValue());

        int longest = longestLogLine();
        Figures.record("config with 160000 errors: file size", String.format("%.1f MB", size / 1e6));
        Figures.record("config with 160000 errors: config-status output",
                lines.size() + " lines, " + status.length() + " characters");
        Figures.record("config with 160000 errors: longest agent log line", longest + " characters");
        Figures.record("config with 160000 errors: agent RSS before -> after",
                rssBefore / 1024 + " -> " + rssAfter / 1024 + " MiB");
        assertTrue("longest log line: " + longest + " characters", longest < 8192);
    }

    private long kscVersion() {
        return ((Number) MeshLab.metadata(lab.resources("node1", "ksc").get(0)).get("version")).longValue();
    }

    private int longestLogLine() throws IOException {
        int longest = 0;
        try (BufferedReader r = Files.newBufferedReader(lab.home("node1").resolve("agent.log"),
                StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null) {
                longest = Math.max(longest, l.length());
            }
        }
        return longest;
    }
}
