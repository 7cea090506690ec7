package dev.kubespan.config.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.time.Duration;

import org.junit.Test;

public class GoDurationTest {
    @Test
    public void parsesGoSyntax() {
        assertEquals(Duration.ofSeconds(30), GoDuration.parse("30s"));
        assertEquals(Duration.ofSeconds(275), GoDuration.parse("4m35s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofNanos(2_003_000), GoDuration.parse("2ms3us"));
        assertEquals(Duration.ofNanos(7), GoDuration.parse("7ns"));
        assertEquals(Duration.ofMillis(1), GoDuration.parse("1000µs"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s"));
    }

    @Test
    public void rejectsEverythingElse() {
        for (String bad : new String[] { "", "30", "s", "30 s", "30sec", "1d", ".s", "1m-5s", "PT30S" }) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class, () -> GoDuration.parse(bad));
            assertEquals("'" + bad + "' is not a duration (examples: 30s, 4m35s, 500ms)", e.getMessage());
        }
    }
}
