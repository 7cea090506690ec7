package dev.kubespan.discovery.server.internal.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kubespan.discovery.server.internal.state.State;
import io.grpc.Status;

/** The discovery server's metrics, named as the reference server names them (docs/discovery-protocol.md §4.8). */
public final class ServerMetrics {
    private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.\\d+)?(-[0-9A-Za-z.-]+)?(?:\\+.*)?$");
    private static final double[] HANDLING_BUCKETS = {0.01, 0.1, 0.25, 0.5, 1, 2.5};

    private final MetricRegistry registry = new MetricRegistry();
    private final MetricRegistry.Counter hello;
    private final MetricRegistry.Counter gcRuns;
    private final MetricRegistry.Counter gcClusters;
    private final MetricRegistry.Counter gcAffiliates;
    private final MetricRegistry.Counter storageOps;
    private final MetricRegistry.Gauge storageSize;
    private final MetricRegistry.Gauge storageClusters;
    private final MetricRegistry.Gauge storageAffiliates;
    private final MetricRegistry.Gauge storageEndpoints;
    private final MetricRegistry.Gauge storageDuration;
    private final MetricRegistry.Counter grpcStarted;
    private final MetricRegistry.Counter grpcHandled;
    private final MetricRegistry.Counter grpcReceived;
    private final MetricRegistry.Counter grpcSent;
    private final MetricRegistry.Histogram grpcHandling;

    // Limits against hostile or broken clients.
    private final LimitMetrics limits;

    public ServerMetrics(Supplier<State.Stats> stats) {
        hello = registry.counter("discovery_server_hello_requests_total", "Number of hello requests by client version.",
                "client_version");
        registry.gauge("discovery_state_clusters", "The current number of clusters.", () -> stats.get().clusters());
        registry.gauge("discovery_state_affiliates", "The current number of affiliates.",
                () -> stats.get().affiliates());
        registry.gauge("discovery_state_endpoints", "The current number of endpoints.", () -> stats.get().endpoints());
        registry.gauge("discovery_state_subscriptions", "The current number of watch subscriptions.",
                () -> stats.get().subscriptions());
        gcRuns = registry.counter("discovery_state_gc_runs_total", "The number of garbage collection runs.");
        gcClusters = registry.counter("discovery_state_gc_clusters_total", "The number of clusters garbage collected.");
        gcAffiliates = registry.counter("discovery_state_gc_affiliates_total",
                "The number of affiliates garbage collected.");
        storageOps = registry.counter("discovery_storage_operations_total", "The number of storage operations.",
                "operation", "status");
        storageSize = registry.gauge("discovery_storage_last_snapshot_size_bytes",
                "The size of the last processed snapshot in bytes.", "operation");
        storageClusters = registry.gauge("discovery_storage_last_operation_clusters",
                "The number of clusters in the last processed snapshot.", "operation");
        storageAffiliates = registry.gauge("discovery_storage_last_operation_affiliates",
                "The number of affiliates in the last processed snapshot.", "operation");
        storageEndpoints = registry.gauge("discovery_storage_last_operation_endpoints",
                "The number of endpoints in the last processed snapshot.", "operation");
        storageDuration = registry.gauge("discovery_storage_last_operation_duration_seconds",
                "The duration of the last storage operation in seconds.", "operation");
        grpcStarted = registry.counter("grpc_server_started_total", "Total number of RPCs started on the server.",
                "grpc_type", "grpc_service", "grpc_method");
        grpcHandled = registry.counter("grpc_server_handled_total",
                "Total number of RPCs completed on the server, regardless of success or failure.", "grpc_type",
                "grpc_service", "grpc_method", "grpc_code");
        grpcReceived = registry.counter("grpc_server_msg_received_total",
                "Total number of RPC stream messages received on the server.", "grpc_type", "grpc_service",
                "grpc_method");
        grpcSent = registry.counter("grpc_server_msg_sent_total",
                "Total number of gRPC stream messages sent by the server.", "grpc_type", "grpc_service",
                "grpc_method");
        grpcHandling = registry.histogram("grpc_server_handling_seconds",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
                HANDLING_BUCKETS, "grpc_type", "grpc_service", "grpc_method");

        // Limits against hostile or broken clients.
        limits = new LimitMetrics(registry);
    }

    /** Connections and calls refused, failed or delayed by the server's limits. */
    public LimitMetrics limits() {
        return limits;
    }

    /** {@code v1.12.3} → {@code v1.12}; {@code v1.13.0-beta.1} → {@code v1.13-pre}; else {@code unknown}. */
    public static String versionLabel(String clientVersion) {
        Matcher m = VERSION.matcher(clientVersion == null ? "" : clientVersion.trim());
        if (!m.matches()) {
            return "unknown";
        }
        return "v" + m.group(1) + "." + m.group(2) + (m.group(3) != null ? "-pre" : "");
    }

    public void hello(String clientVersion) {
        hello.inc(versionLabel(clientVersion));
    }

    public void gc(int removedClusters, int removedAffiliates) {
        gcRuns.inc();
        gcClusters.add(removedClusters);
        gcAffiliates.add(removedAffiliates);
    }

    /** Records one snapshot save or load. */
    public void storage(String operation, boolean success, long sizeBytes, int clusters, int affiliates,
            int endpoints, double seconds) {
        storageOps.inc(operation, success ? "success" : "error");
        if (success) {
            storageSize.set(sizeBytes, operation);
            storageClusters.set(clusters, operation);
            storageAffiliates.set(affiliates, operation);
            storageEndpoints.set(endpoints, operation);
            storageDuration.set(seconds, operation);
        }
    }

    public void grpcStarted(String type, String service, String method) {
        grpcStarted.inc(type, service, method);
    }

    public void grpcReceived(String type, String service, String method) {
        grpcReceived.inc(type, service, method);
    }

    public void grpcSent(String type, String service, String method) {
        grpcSent.inc(type, service, method);
    }

    /** The {@code grpc_server_*} samples of one method, looked up once (not per call). */
    public GrpcMethod grpcMethod(String type, String service, String method) {
        return new GrpcMethod(type, service, method);
    }

    /** The {@code grpc_server_*} samples of one method; the handled count per code is bound on first use. */
    public final class GrpcMethod {
        private final String type;
        private final String service;
        private final String method;
        public final LongAdder started;
        public final LongAdder received;
        public final LongAdder sent;
        private final MetricRegistry.Histogram.Series handling;
        private final AtomicReferenceArray<LongAdder> handled =
                new AtomicReferenceArray<>(Status.Code.values().length);

        private GrpcMethod(String type, String service, String method) {
            this.type = type;
            this.service = service;
            this.method = method;
            this.started = grpcStarted.bind(type, service, method);
            this.received = grpcReceived.bind(type, service, method);
            this.sent = grpcSent.bind(type, service, method);
            this.handling = grpcHandling.bind(type, service, method);
        }

        /** A call ended with {@code code} (its Go name is {@code codeLabel}) after {@code seconds}. */
        public void handled(Status.Code code, String codeLabel, double seconds) {
            LongAdder count = handled.get(code.ordinal());
            if (count == null) {
                count = grpcHandled.bind(type, service, method, codeLabel);
                handled.set(code.ordinal(), count);
            }
            count.increment();
            handling.observe(seconds);
        }
    }

    public void grpcHandled(String type, String service, String method, String code, double seconds) {
        grpcHandled.inc(type, service, method, code);
        grpcHandling.observe(seconds, type, service, method);
    }

    // --- state backend: caps and availability (etcd) ---

    private MetricRegistry.Counter limitRejections;
    private MetricRegistry.Counter backendErrors;

    /**
     * Registers the backend's metrics: {@code discovery_state_limit_rejections_total{limit}}
     * (updates refused by a cap), {@code discovery_backend_available{backend}} (1 when writes
     * can go through), {@code discovery_backend_errors_total{backend,operation}}.
     */
    public synchronized void backend(String name, java.util.function.BooleanSupplier available) {
        registry.gauge("discovery_backend_available", "1 when the state backend (" + name + ") takes writes, else 0.",
                () -> available.getAsBoolean() ? 1 : 0);
        backendName = name;
    }

    private String backendName = "memory";

    private synchronized MetricRegistry.Counter limitRejections() {
        if (limitRejections == null) {
            limitRejections = registry.counter("discovery_state_limit_rejections_total",
                    "AffiliateUpdate calls refused with RESOURCE_EXHAUSTED, by the limit hit.", "limit");
        }
        return limitRejections;
    }

    private synchronized MetricRegistry.Counter backendErrors() {
        if (backendErrors == null) {
            backendErrors = registry.counter("discovery_backend_errors_total",
                    "Failed calls to the state backend, by operation.", "backend", "operation");
        }
        return backendErrors;
    }

    /** An update refused by a limit ({@code clusters}, {@code affiliates}, {@code cluster_affiliates}, {@code endpoints}). */
    public void limitReached(String limit) {
        limitRejections().inc(limit);
    }

    public long limitRejections(String limit) {
        return limitRejections().get(limit);
    }

    /** A backend call that failed (etcd unreachable, timeout). */
    public void backendError(String operation) {
        backendErrors().inc(backendName, operation);
    }

    public long helloCount(String versionLabel) {
        return hello.get(versionLabel);
    }

    public String render() {
        return registry.render();
    }
}
