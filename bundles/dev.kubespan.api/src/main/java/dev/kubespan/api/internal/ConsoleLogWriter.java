package dev.kubespan.api.internal;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Writes OSGi log entries at or above {@code kubespan.log.level} (framework property, default
 * INFO) to standard output, where the journal or the terminal picks them up.
 */
@Component(service = {}, immediate = true)
public final class ConsoleLogWriter implements LogListener {
    private final LogReaderService reader;
    private final LogLevel threshold;
    private final PrintStream out = System.out;

    @Activate
    public ConsoleLogWriter(@Reference LogReaderService reader, BundleContext context) {
        this.reader = reader;
        String level = context.getProperty("kubespan.log.level");
        LogLevel t = LogLevel.INFO;
        if (level != null) {
            try {
                t = LogLevel.valueOf(level.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                out.println("kubespan: unknown kubespan.log.level '" + level + "', using INFO");
            }
        }
        this.threshold = t;
        reader.addLogListener(this);
    }

    @Deactivate
    public void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry e) {
        if (!threshold.implies(e.getLogLevel())) {
            return;
        }
        String bsn = e.getBundle() == null ? "-" : e.getBundle().getSymbolicName();
        StringBuilder sb = new StringBuilder();
        sb.append(Instant.ofEpochMilli(e.getTime())).append(' ').append(String.format("%-5s", e.getLogLevel()))
                .append(" [").append(bsn).append("] ").append(e.getMessage());
        if (e.getException() != null) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.getException().printStackTrace(new java.io.PrintWriter(trace));
            sb.append(": ").append(trace.toString().stripTrailing());
        }
        out.println(sb);
    }
}
