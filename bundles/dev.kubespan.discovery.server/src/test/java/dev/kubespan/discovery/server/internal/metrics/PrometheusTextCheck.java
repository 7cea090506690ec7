package dev.kubespan.discovery.server.internal.metrics;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks text exposition format line by line: HELP/TYPE before samples, sample syntax, known types. */
public final class PrometheusTextCheck {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})? "
                    + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    private PrometheusTextCheck() {
    }

    /** Returns the number of samples; fails on the first bad line. */
    public static int assertParses(String text) {
        assertTrue("ends with a newline", text.endsWith("\n"));
        Map<String, String> types = new HashMap<>();
        int samples = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                assertTrue(line, HELP.matcher(line).matches());
            } else if (line.startsWith("# TYPE ")) {
                var m = TYPE.matcher(line);
                assertTrue(line, m.matches());
                types.put(m.group(1), m.group(2));
            } else {
                var m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    fail("bad sample line: " + line);
                }
                String name = m.group(1);
                String base = name.replaceAll("_(bucket|sum|count)$", "");
                assertTrue("sample before its TYPE: " + line, types.containsKey(name) || types.containsKey(base));
                samples++;
            }
        }
        return samples;
    }
}
