package dev.kubespan.metrics.internal;

import java.util.ArrayList;
import java.util.List;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Builds one scrape's metric families: {@code gauge(...)}/{@code counter(...)} start a family,
 * {@code add(...)} adds a sample to it. Families without samples are left out.
 */
final class Families {
    private final List<MetricSnapshot> done = new ArrayList<>();
    private GaugeSnapshot.Builder gauge;
    private CounterSnapshot.Builder counter;
    private boolean any;

    Families gauge(String name, String help) {
        finish();
        gauge = GaugeSnapshot.builder().name(name).help(help);
        return this;
    }

    /** {@code name} without {@code _total}: the exposition adds it. */
    Families counter(String name, String help) {
        finish();
        counter = CounterSnapshot.builder().name(name).help(help);
        return this;
    }

    /** A sample; {@code labels} alternate name, value. */
    Families add(double value, String... labels) {
        Labels l = Labels.of(labels);
        if (gauge != null) {
            gauge.dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(l).build());
        } else {
            counter.dataPoint(CounterDataPointSnapshot.builder().value(value).labels(l).build());
        }
        any = true;
        return this;
    }

    private void finish() {
        if (any) {
            done.add(gauge != null ? gauge.build() : counter.build());
        }
        gauge = null;
        counter = null;
        any = false;
    }

    MetricSnapshots build() {
        finish();
        return new MetricSnapshots(done);
    }
}
