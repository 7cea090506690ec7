package dev.kubespan.metrics.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The agent process: resident and virtual memory, threads and open files from
 * {@code /proc/self} (Linux; absent elsewhere), JVM heap and thread counts, with the names
 * Prometheus' client libraries use.
 */
@Component(service = MultiCollector.class, property = MetricsServlet.COLLECTOR_PROPERTY + "=true")
public final class ProcessMetrics implements MultiCollector {
    private final Path proc;

    public ProcessMetrics() {
        this(Path.of("/proc/self"));
    }

    ProcessMetrics(Path proc) {
        this.proc = proc;
    }

    /** VmRSS, VmSize (bytes) and Threads from {@code status}; -1 when not found. */
    record Status(long rssBytes, long virtualBytes, long threads) {
        static Status parse(List<String> lines) {
            long rss = -1;
            long vsize = -1;
            long threads = -1;
            for (String l : lines) {
                if (l.startsWith("VmRSS:")) {
                    rss = kib(l);
                } else if (l.startsWith("VmSize:")) {
                    vsize = kib(l);
                } else if (l.startsWith("Threads:")) {
                    threads = Long.parseLong(l.substring(8).trim());
                }
            }
            return new Status(rss, vsize, threads);
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        try {
            Status s = Status.parse(Files.readAllLines(proc.resolve("status")));
            if (s.rssBytes() >= 0) {
                f.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").add(s.rssBytes());
            }
            if (s.virtualBytes() >= 0) {
                f.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").add(s.virtualBytes());
            }
            if (s.threads() >= 0) {
                f.gauge("process_threads", "OS threads of the process.").add(s.threads());
            }
            f.gauge("process_open_fds", "Open file descriptors.").add(openFiles());
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the JVM figures below remain
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        f.gauge("jvm_memory_used_bytes", "Used JVM memory by area.").add(heap.getUsed(), "area", "heap")
                .add(nonHeap.getUsed(), "area", "nonheap");
        f.gauge("jvm_memory_committed_bytes", "Committed JVM memory by area.").add(heap.getCommitted(), "area", "heap")
                .add(nonHeap.getCommitted(), "area", "nonheap");
        f.gauge("jvm_threads_current", "Live JVM threads.").add(ManagementFactory.getThreadMXBean().getThreadCount());
        f.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.")
                .add(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        return f.build();
    }

    private long openFiles() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        }
        return n;
    }
}
