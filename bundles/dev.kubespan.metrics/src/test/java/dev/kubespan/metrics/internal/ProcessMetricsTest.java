package dev.kubespan.metrics.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class ProcessMetricsTest {
    @Test
    public void statusLinesAreParsed() {
        ProcessMetrics.Status s = ProcessMetrics.Status.parse(List.of("Name:\tjava", "VmSize:\t 3000000 kB",
                "VmRSS:\t  115000 kB", "Threads:\t42"));
        assertEquals(115000L * 1024, s.rssBytes());
        assertEquals(3000000L * 1024, s.virtualBytes());
        assertEquals(42, s.threads());
    }

    @Test
    public void thisProcessIsMeasured() throws Exception {
        String t = MeshMetricsTest.text(new ProcessMetrics().collect());
        assertTrue(t, t.contains("process_resident_memory_bytes "));
        assertTrue(t, t.contains("process_threads "));
        assertTrue(t, t.contains("jvm_memory_used_bytes{area=\"heap\"}"));
    }
}
