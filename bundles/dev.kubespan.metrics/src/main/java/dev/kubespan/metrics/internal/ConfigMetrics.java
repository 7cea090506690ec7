package dev.kubespan.metrics.internal;

import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.kubespan.config.ConfigStatus;
import dev.kubespan.config.LoadResult;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The outcome of the last config (re)load, as the config bundle's {@link ConfigStatus} reports
 * it, named like Prometheus' own {@code prometheus_config_last_reload_*}: alert on
 * {@code kubespan_config_last_reload_successful == 0}.
 */
@Component(service = MultiCollector.class, property = MetricsServlet.COLLECTOR_PROPERTY + "=true")
public final class ConfigMetrics implements MultiCollector {
    private final ConfigStatus status;

    @Activate
    public ConfigMetrics(@Reference ConfigStatus status) {
        this.status = status;
    }

    @Override
    public MetricSnapshots collect() {
        LoadResult last = status.lastResult();
        Optional<LoadResult> applied = status.lastApplied();
        Families f = new Families();
        f.gauge("kubespan_config_last_reload_successful", "1 when the last read of the config was accepted; 0 when it"
                + " was rejected (the previous config stays in force).");
        f.add(last.ok() ? 1 : 0, "source", status.sourceKind());
        f.gauge("kubespan_config_last_reload_timestamp_seconds", "When the config was last read.");
        f.add(last.time().toEpochMilli() / 1000.0);
        f.gauge("kubespan_config_last_reload_success_timestamp_seconds", "When a config was last accepted.");
        applied.ifPresent(a -> f.add(a.time().toEpochMilli() / 1000.0));
        f.gauge("kubespan_config_last_reload_errors", "Errors of the last read (why it was rejected).");
        f.add(last.errors().size());
        f.gauge("kubespan_config_last_reload_warnings", "Warnings of the last read.");
        f.add(last.warnings().size());
        return f.build();
    }
}
