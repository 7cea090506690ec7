package dev.kubespan.discovery.server.internal.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A minimal metrics registry rendered in the Prometheus text exposition format (version 0.0.4):
 * labelled counters, gauges (set or computed at scrape time) and histograms.
 */
public final class MetricRegistry {
    private final List<Metric> metrics = new ArrayList<>();

    private abstract static class Metric {
        final String name;
        final String help;
        final String type;
        final String[] labelNames;

        Metric(String name, String help, String type, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = labelNames;
        }

        abstract void renderSamples(StringBuilder out);

        String labels(List<String> values, String extraName, String extraValue) {
            if (labelNames.length == 0 && extraName == null) {
                return "";
            }
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < labelNames.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(labelNames[i]).append("=\"").append(escape(values.get(i))).append('"');
            }
            if (extraName != null) {
                if (labelNames.length > 0) {
                    sb.append(',');
                }
                sb.append(extraName).append("=\"").append(extraValue).append('"');
            }
            return sb.append('}').toString();
        }

        List<String> key(String... values) {
            if (values.length != labelNames.length) {
                throw new IllegalArgumentException(name + " needs labels " + Arrays.toString(labelNames));
            }
            return List.of(values);
        }
    }

    /** A monotonically increasing count per label set. */
    public static final class Counter extends Metric {
        private final Map<List<String>, LongAdder> values = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Counter(String name, String help, String[] labelNames) {
            super(name, help, "counter", labelNames);
        }

        public void inc(String... labels) {
            add(1, labels);
        }

        public void add(long n, String... labels) {
            values.computeIfAbsent(key(labels), k -> new LongAdder()).add(n);
        }

        /** The sample of one label set, for a caller that counts often (no lookup per increment). */
        public LongAdder bind(String... labels) {
            return values.computeIfAbsent(key(labels), k -> new LongAdder());
        }

        public long get(String... labels) {
            LongAdder a = values.get(key(labels));
            return a == null ? 0 : a.sum();
        }

        @Override
        void renderSamples(StringBuilder out) {
            values.forEach((k, v) -> out.append(name).append(labels(k, null, null)).append(' ').append(v.sum())
                    .append('\n'));
        }
    }

    /** A value that can go up and down, per label set. */
    public static final class Gauge extends Metric {
        private final Map<List<String>, Double> values = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Gauge(String name, String help, String[] labelNames) {
            super(name, help, "gauge", labelNames);
        }

        public void set(double value, String... labels) {
            values.put(key(labels), value);
        }

        @Override
        void renderSamples(StringBuilder out) {
            values.forEach((k, v) -> out.append(name).append(labels(k, null, null)).append(' ').append(format(v))
                    .append('\n'));
        }
    }

    private static final class ComputedGauge extends Metric {
        private final DoubleSupplier supplier;

        ComputedGauge(String name, String help, DoubleSupplier supplier) {
            super(name, help, "gauge", new String[0]);
            this.supplier = supplier;
        }

        @Override
        void renderSamples(StringBuilder out) {
            out.append(name).append(' ').append(format(supplier.getAsDouble())).append('\n');
        }
    }

    /** Cumulative histogram with fixed upper bounds, per label set. */
    public static final class Histogram extends Metric {
        private final double[] bounds;
        private final Map<List<String>, Series> values = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        /** The histogram of one label set. */
        public final class Series {
            final LongAdder[] buckets;
            final LongAdder count = new LongAdder();
            final DoubleAdder sum = new DoubleAdder();

            Series(int n) {
                buckets = new LongAdder[n];
                for (int i = 0; i < n; i++) {
                    buckets[i] = new LongAdder();
                }
            }

            public void observe(double value) {
                for (int i = 0; i < bounds.length; i++) {
                    if (value <= bounds[i]) {
                        buckets[i].increment();
                    }
                }
                count.increment();
                sum.add(value);
            }
        }

        Histogram(String name, String help, double[] bounds, String[] labelNames) {
            super(name, help, "histogram", labelNames);
            this.bounds = bounds.clone();
        }

        public void observe(double value, String... labels) {
            bind(labels).observe(value);
        }

        /** The series of one label set, for a caller that observes often (no lookup per observation). */
        public Series bind(String... labels) {
            return values.computeIfAbsent(key(labels), k -> new Series(bounds.length));
        }

        @Override
        void renderSamples(StringBuilder out) {
            values.forEach((k, s) -> {
                for (int i = 0; i < bounds.length; i++) {
                    out.append(name).append("_bucket").append(labels(k, "le", format(bounds[i]))).append(' ')
                            .append(s.buckets[i].sum()).append('\n');
                }
                long count = s.count.sum();
                out.append(name).append("_bucket").append(labels(k, "le", "+Inf")).append(' ').append(count)
                        .append('\n');
                out.append(name).append("_sum").append(labels(k, null, null)).append(' ').append(format(s.sum.sum()))
                        .append('\n');
                out.append(name).append("_count").append(labels(k, null, null)).append(' ').append(count)
                        .append('\n');
            });
        }
    }

    public synchronized Counter counter(String name, String help, String... labelNames) {
        return add(new Counter(name, help, labelNames));
    }

    public synchronized Gauge gauge(String name, String help, String... labelNames) {
        return add(new Gauge(name, help, labelNames));
    }

    public synchronized void gauge(String name, String help, DoubleSupplier supplier) {
        add(new ComputedGauge(name, help, supplier));
    }

    public synchronized Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
        return add(new Histogram(name, help, bounds, labelNames));
    }

    private <M extends Metric> M add(M m) {
        metrics.add(m);
        return m;
    }

    /** All metrics in the text exposition format. */
    public String render() {
        List<Metric> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(metrics);
        }
        StringBuilder out = new StringBuilder(4096);
        for (Metric m : snapshot) {
            out.append("# HELP ").append(m.name).append(' ').append(m.help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            out.append("# TYPE ").append(m.name).append(' ').append(m.type).append('\n');
            m.renderSamples(out);
        }
        return out.toString();
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
