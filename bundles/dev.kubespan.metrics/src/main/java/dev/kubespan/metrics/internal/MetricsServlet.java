package dev.kubespan.metrics.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import dev.kubespan.api.Log;
import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.http.KubeSpanHttp;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics}: every KubeSpan collector, in the format the scraper asks for (Prometheus
 * text 0.0.4 by default, OpenMetrics when its {@code Accept} header says so), gzipped when
 * accepted. One failing collector is logged and left out; the others are still served.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
@HttpWhiteboardServletName("kubespan-metrics")
@HttpWhiteboardContextSelect(KubeSpanHttp.CONTEXT_SELECT)
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Service property marking a {@link MultiCollector} this servlet serves. */
    static final String COLLECTOR_PROPERTY = "kubespan.metrics.collector";

    private final transient List<MultiCollector> collectors = new CopyOnWriteArrayList<>();
    private final transient ExpositionFormats formats = ExpositionFormats.init();

    @Reference(service = LoggerFactory.class)
    private transient Logger logger;
    /** Scrapes come every few seconds: a collector that keeps failing is logged once per 10 minutes. */
    private final transient RateLimitedLog collectorFailures = new RateLimitedLog(line -> Log.of(logger).warn(line),
            System::nanoTime, Duration.ofMinutes(10), 64);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + COLLECTOR_PROPERTY + "=true)")
    void addCollector(MultiCollector c) {
        collectors.add(c);
    }

    void removeCollector(MultiCollector c) {
        collectors.remove(c);
    }

    /** All collectors' families; a collector that throws is skipped (and logged). */
    MetricSnapshots scrape() {
        List<MetricSnapshot> all = new ArrayList<>();
        for (MultiCollector c : collectors) {
            try {
                c.collect().forEach(all::add);
            } catch (RuntimeException e) {
                if (logger != null) {
                    collectorFailures.admit(c.getClass().getName(), "metrics: collector " + c.getClass().getSimpleName()
                            + " failed; left out of this scrape").ifPresent(line -> Log.of(logger).error(line, e));
                }
            }
        }
        return new MetricSnapshots(all);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(request.getHeader("Accept"));
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        MetricSnapshots snapshots = scrape();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        String encoding = request.getHeader("Accept-Encoding");
        if (encoding != null && encoding.contains("gzip")) {
            response.setHeader("Content-Encoding", "gzip");
            try (OutputStream out = new GZIPOutputStream(response.getOutputStream())) {
                writer.write(out, snapshots);
            }
        } else {
            try (OutputStream out = response.getOutputStream()) {
                writer.write(out, snapshots);
            }
        }
    }
}
