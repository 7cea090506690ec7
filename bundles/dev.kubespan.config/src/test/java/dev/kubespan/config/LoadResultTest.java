package dev.kubespan.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.Test;

/** The bounds every load result keeps, whoever builds it. */
public class LoadResultTest {

    private static List<ConfigProblem> problems(int n, String reason) {
        return IntStream.range(0, n).mapToObj(i -> new ConfigProblem("f.yaml", "a[" + i + "]", i + 1, reason)).toList();
    }

    @Test
    public void keepsTheFirstHundredOfEachKindAndCountsTheRest() {
        LoadResult r = new LoadResult(Instant.EPOCH, "f.yaml", false, problems(1000, "bad"), problems(250, "odd"));
        assertEquals(100, r.errors().size());
        assertEquals("a[0]", r.errors().get(0).path());
        assertEquals("a[99]", r.errors().get(99).path());
        assertEquals(900, r.omittedErrors());
        assertEquals(1000, r.errorCount());
        assertEquals(100, r.warnings().size());
        assertEquals(150, r.omittedWarnings());
        assertEquals(250, r.warningCount());
        String text = r.toString();
        assertTrue(text, text.startsWith("rejected: f.yaml at 1970-01-01T00:00:00Z (1000 errors; "));
        assertTrue(text, text.contains("\n  ... and 900 more errors (only the first 100 are listed)\n  warning: "));
        assertTrue(text, text.endsWith("\n  ... and 150 more warnings (only the first 100 are listed)"));
        assertEquals(1 + 100 + 1 + 100 + 1, text.lines().count());
    }

    @Test
    public void omittedCountsAddUp() {
        LoadResult r = new LoadResult(Instant.EPOCH, "f.yaml", false, problems(101, "bad"), List.of(), 5, 0);
        assertEquals(100, r.errors().size());
        assertEquals(6, r.omittedErrors());
        assertEquals(106, r.errorCount());
        LoadResult one = new LoadResult(Instant.EPOCH, "f.yaml", false, problems(1, "bad"), List.of(), 1, 0);
        assertTrue(one.toString(), one.toString().contains("(2 errors;") && one.toString().contains("and 1 more error ("));
    }

    @Test
    public void aProblemQuotesAtMostTheStartOfAHugeValue() {
        String huge = "x".repeat(1 << 20);
        String reason = "'" + huge + "' is not a CIDR";
        ConfigProblem p = new ConfigProblem("f.yaml", "a." + huge, 3, reason);
        assertEquals("a." + "x".repeat(ConfigProblem.MAX_PATH_CHARS - 2) + "... (" + ((1 << 20) + 2 - 200)
                + " more characters)", p.path());
        assertTrue(p.reason(), p.reason().startsWith("'xxx") && p.reason().endsWith("... (" + (reason.length() - ConfigProblem.MAX_REASON_CHARS) + " more characters)"));
        assertEquals("short reasons are kept whole", "mtu 1000 is below 1280",
                new ConfigProblem("f", "p", 1, "mtu 1000 is below 1280").reason());
    }

    @Test
    public void aCutNeverSplitsACharacter() {
        String emoji = "\uD83D\uDE00";
        String reason = "x".repeat(ConfigProblem.MAX_REASON_CHARS - 1) + emoji + "tail";
        String cut = new ConfigProblem("f", "p", 1, reason).reason();
        assertTrue(cut, cut.startsWith("x".repeat(ConfigProblem.MAX_REASON_CHARS - 1) + "... ("));
    }
}
