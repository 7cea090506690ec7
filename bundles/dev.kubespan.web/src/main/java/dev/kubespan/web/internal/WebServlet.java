package dev.kubespan.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubespan.api.Log;
import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.SpecValues;
import dev.kubespan.http.KubeSpanHttp;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The mesh page at {@code /} with its bundled assets (no request leaves the machine: the
 * Content-Security-Policy allows this origin only), and its JSON: {@code /api/mesh} (what the
 * page polls), {@code /api/history} (the last hour), {@code /api/resources/<type>} (the
 * documents {@code kubespan:get <type> -o json} prints, as one array, secrets always redacted).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/", "/assets/*", "/api/*"})
@HttpWhiteboardServletName("kubespan-web")
@HttpWhiteboardContextSelect(KubeSpanHttp.CONTEXT_SELECT)
public final class WebServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final long SAMPLE_MILLIS = 10_000;
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "web/index.html",
            "/index.html", "web/index.html",
            "/assets/app.js", "web/app.js",
            "/assets/app.css", "web/app.css",
            "/assets/favicon.svg", "web/favicon.svg",
            "/assets/vendor/uPlot.iife.min.js", "web/vendor/uPlot.iife.min.js",
            "/assets/vendor/uPlot.min.css", "web/vendor/uPlot.min.css",
            "/assets/vendor/uPlot-LICENSE.txt", "web/vendor/LICENSE");

    private final transient ResourceStore store;
    private final transient Log log;
    /** The sampler runs every 2 s: a failure that persists is logged once per 10 minutes. */
    private final transient RateLimitedLog sampleFailures;
    private final transient Clock clock;
    private final transient ObjectMapper json = new ObjectMapper();
    private final transient TrafficHistory history = new TrafficHistory((int) (3_600_000 / SAMPLE_MILLIS));
    private final transient ScheduledExecutorService sampler;

    @Activate
    public WebServlet(@Reference ResourceStore store, @Reference(service = LoggerFactory.class) Logger logger) {
        this.store = store;
        this.log = Log.of(logger);
        this.sampleFailures = new RateLimitedLog(log::warn, System::nanoTime, Duration.ofMinutes(10), 1);
        this.clock = Clock.systemUTC();
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kubespan-web-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    public void deactivate() throws InterruptedException {
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            history.record(clock.millis(), MeshView.samples(store));
        } catch (RuntimeException e) {
            sampleFailures.admit("sample", "web: sampling the peer statuses failed").ifPresent(line -> log.error(line, e));
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.isEmpty()) {
            path = "/";
        }
        if (path.startsWith("/api/")) {
            api(path.substring(5), response);
            return;
        }
        String resource = ASSETS.get(path);
        if (resource == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        asset(resource, response);
    }

    private void api(String path, HttpServletResponse response) throws IOException {
        Object model;
        if (path.equals("mesh")) {
            model = MeshView.mesh(store, clock.instant(), history.rates());
        } else if (path.equals("history")) {
            model = history.toModel(SAMPLE_MILLIS);
        } else if (path.equals("resources")) {
            List<Map<String, Object>> types = new ArrayList<>();
            for (ResourceType<?> t : ResourceTypes.all()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("qualifiedName", t.qualifiedName());
                m.put("aliases", t.aliases());
                m.put("namespace", t.defaultNamespace());
                types.add(m);
            }
            model = types;
        } else if (path.startsWith("resources/")) {
            Optional<ResourceType<?>> type = ResourceTypes.find(path.substring("resources/".length()));
            if (type.isEmpty()) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND, "no resource type '"
                        + path.substring("resources/".length()) + "' (see /api/resources)");
                return;
            }
            model = documents(type.get());
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            json.writeValue(out, model);
        }
    }

    private List<Map<String, Object>> documents(ResourceType<?> type) {
        List<Resource<?>> all = new ArrayList<>(store.list(type, null));
        all.sort(Comparator.comparing((Resource<?> r) -> r.namespace()).thenComparing(Resource::id));
        List<Map<String, Object>> out = new ArrayList<>(all.size());
        for (Resource<?> r : all) {
            out.add(SpecValues.document(type, r, false));
        }
        return out;
    }

    private void asset(String resource, HttpServletResponse response) throws IOException {
        try (InputStream in = WebServlet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setContentType(contentType(resource));
            if (resource.endsWith(".html")) {
                response.setCharacterEncoding("UTF-8");
                response.setHeader("Content-Security-Policy", CSP);
                response.setHeader("Cache-Control", "no-cache");
            } else {
                response.setHeader("Cache-Control", "max-age=3600");
            }
            try (OutputStream out = response.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }

    static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html";
        } else if (resource.endsWith(".js")) {
            return "text/javascript";
        } else if (resource.endsWith(".css")) {
            return "text/css";
        } else if (resource.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return "text/plain";
    }
}
