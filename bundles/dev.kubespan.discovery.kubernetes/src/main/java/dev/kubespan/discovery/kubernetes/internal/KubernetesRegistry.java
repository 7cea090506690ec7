package dev.kubespan.discovery.kubernetes.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubespan.api.Backoff;
import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;

/**
 * The Kubernetes registry (docs/kubespan-node.md §7.1, §7.2). Push: the local affiliate becomes
 * annotations on this node's own Node (strategic merge patch; removed values are sent as null).
 * Pull: every other Node with a {@code cluster.talos.dev/node-id} annotation becomes a raw
 * affiliate {@code cluster-raw/k8s/<nodeId>}. Health is the {@code RegistryStatus}
 * {@code cluster/kubernetes}. Runs while {@code DiscoveryConfig} has discovery and the
 * Kubernetes registry enabled; store writes happen on one reconcile thread, the Nodes are watched
 * on another.
 *
 * <p>{@link #close()} (bundle update, shutdown) stops threads and connections and leaves every
 * output in place; the next activation adopts it and replaces it after its first Node list. Only
 * a configuration that switches the registry off deletes the raw affiliates, and then also
 * removes this node's annotations from its Node (best effort).
 */
public final class KubernetesRegistry implements AutoCloseable, Controller {
    public static final String NAME = "dev.kubespan.discovery.kubernetes/registry";
    public static final String ID_PREFIX = "k8s/";
    public static final String STATUS_ID = "kubernetes";

    private final ResourceStore store;
    private final Log log;
    private final AccessLocator locator;
    private final Duration resync;
    private final Clock clock;
    private final DoubleSupplier random;
    private final ObjectMapper json = new ObjectMapper();
    private final Backoff pushBackoff;
    /** Node name → the problems last logged for it, so a bad Node is reported once, not every resync. */
    private final Map<String, List<String>> reportedProblems = new HashMap<>();
    private RunningController loop;
    /**
     * The resync and push-retry deadlines are on the monotonic clock ({@link ControllerContext#nanoTime()} as
     * an instant): a step of the wall clock back must not postpone them by the step.
     */
    private Instant nextResync;
    private ControllerContext pass;
    private volatile boolean closed;
    /** The node ID last seen, so changes of other nodes' merged affiliates do not wake us. */
    private volatile String ownId;

    // Reconcile-thread state (and close(), under this lock).
    private final Object lock = new Object();
    private Session session;
    private int written;

    /** One run of the registry between enabling and disabling. */
    private final class Session {
        final RegistryState state = new RegistryState(clock, log, KubernetesRegistry.this::trigger);
        final NodeCache cache = new NodeCache();
        final ApiConnection api = new ApiConnection(locator, json, state);
        final NodeWatcher watcher = new NodeWatcher(api, cache, state, KubernetesRegistry.this::trigger, log, random);
        /** What the Node carries according to our last successful patch. */
        Map<String, String> pushed;
        String pushedNode = "";
        Instant nextPushAttempt = Instant.MIN;
        List<String> pushProblems = List.of();

        void close() {
            watcher.close();
            api.close();
        }
    }

    public KubernetesRegistry(ResourceStore store, Log log, AccessLocator locator, Duration resync, Clock clock,
            DoubleSupplier random) {
        this.store = store;
        this.log = log;
        this.locator = locator;
        this.resync = resync;
        this.clock = clock;
        this.random = random;
        this.pushBackoff = backoff(random);
    }

    /** Reconnects and retries to the API server: 0.5 s ×1.5 up to 30 s, ±50 %, so nodes do not come back in lock step. */
    static Backoff backoff(DoubleSupplier random) {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 1.5, 0.5, random);
    }

    /** Registers the store watches and the resync timer; returns at once. */
    public void start() {
        nextResync = null; // set by the first pass
        loop = new ControllerRuntime(store, log).start(this);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER).where(r -> ownId == null || r.id().equals(ownId)));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.shared(ResourceTypes.AFFILIATE), Output.shared(ResourceTypes.REGISTRY_STATUS));
    }

    private void trigger() {
        RunningController l = loop;
        if (l != null) {
            l.trigger();
        }
    }

    /** Stops threads and connections; outputs stay (see the class comment). */
    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            loop.close();
        }
        synchronized (lock) {
            if (session != null) {
                session.close();
                session = null;
            }
        }
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pass = ctx;
            try {
                Instant t = steadyNow(ctx);
                if (nextResync == null) {
                    nextResync = t.plus(resync);
                }
                boolean resyncing = !t.isBefore(nextResync);
                if (resyncing) {
                    nextResync = t.plus(resync);
                }
                ctx.wakeIn(Duration.between(t, nextResync));
                reconcileLocked(resyncing);
            } finally {
                pass = null;
            }
        }
    }

    private void reconcileLocked(boolean resyncing) {
        Optional<DiscoveryConfig> dc = spec(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID);
        String off = dc.isEmpty() ? "no discovery configuration"
                : !dc.get().discoveryEnabled() ? "discovery is disabled"
                : !dc.get().registryKubernetesEnabled() ? "the Kubernetes registry is disabled" : null;
        if (off != null) {
            stop(off, dc.isPresent());
            return;
        }
        Optional<String> nodeId = spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(NodeIdentity::nodeId).filter(s -> !s.isEmpty());
        if (nodeId.isEmpty()) {
            // Outputs of an earlier run stay until we know who we are.
            writeStatus(new RegistryStatus(STATUS_ID, locator.describe(), ConnectionState.WAITING, written,
                    "waiting for the node identity", Times.ZERO));
            return;
        }
        ownId = nodeId.get();
        if (session == null) {
            session = new Session();
            session.watcher.start();
            log.info("Kubernetes registry: started (" + locator.describe() + ")");
        }
        Affiliate local = spec(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, ownId).orElse(null);
        String ownNode = local == null ? "" : local.nodename();
        if (session.cache.synced()) {
            writeAffiliates(session.cache.snapshot(), ownId, ownNode);
        }
        push(session, local, resyncing);
        if (resyncing) {
            session.watcher.abortIfStalled();
        }
        writeStatus(session.state.status(written));
    }

    private void stop(String reason, boolean explicitlyOff) {
        if (session != null) {
            Session s = session;
            session = null;
            s.watcher.close();
            if (explicitlyOff && s.pushed != null && !s.pushedNode.isEmpty()) {
                leave(s);
            }
            s.api.close();
            log.info("Kubernetes registry: stopped (" + reason + ")");
        }
        deleteOwnedAffiliates(Map.of());
        written = 0;
        writeStatus(new RegistryStatus(STATUS_ID, locator.describe(), ConnectionState.DISABLED, 0, reason, Times.ZERO));
    }

    /** Removes this node's annotations from its Node, once: the registry was switched off. */
    private void leave(Session s) {
        Map<String, String> remove = new LinkedHashMap<>();
        NodeAnnotations.ALL.forEach(k -> remove.put(k, null));
        try {
            s.api.client(false).patchNodeAnnotations(s.pushedNode, remove);
            log.info("Kubernetes registry: removed this node's annotations from Node " + s.pushedNode);
        } catch (IOException | KubeApiException | ClusterAccessException e) {
            log.warn("Kubernetes registry: could not remove this node's annotations from Node " + s.pushedNode + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void push(Session s, Affiliate local, boolean resyncing) {
        if (local == null || local.nodename().isEmpty()) {
            return;
        }
        String node = local.nodename();
        List<String> problems = new ArrayList<>();
        Map<String, String> desired = NodeAnnotations.forAffiliate(local, problems);
        if (!problems.equals(s.pushProblems)) {
            s.pushProblems = problems;
            problems.forEach(p -> log.warn("Kubernetes registry: " + p));
        }
        boolean published = desired.equals(s.pushed) && node.equals(s.pushedNode);
        if (published && resyncing) {
            // Someone else may have edited or dropped our annotations: the watch tells.
            Optional<NodeView> seen = s.cache.synced() ? s.cache.get(node) : Optional.empty();
            if (seen.isPresent() && !NodeAnnotations.matches(seen.get().annotations(), desired)) {
                log.info("Kubernetes registry: Node " + node + " lost this node's annotations; patching again");
                published = false;
            }
        }
        if (published) {
            return;
        }
        Instant now = steadyNow(pass);
        if (now.isBefore(s.nextPushAttempt)) {
            return; // a retry is already scheduled
        }
        Map<String, String> patch = new LinkedHashMap<>();
        desired.forEach((k, v) -> patch.put(k, v.isEmpty() ? null : v));
        try {
            s.api.client(false).patchNodeAnnotations(node, patch);
            s.pushed = desired;
            s.pushedNode = node;
            s.nextPushAttempt = Instant.MIN;
            pushBackoff.reset();
        } catch (IOException | KubeApiException | ClusterAccessException e) {
            s.pushed = null;
            if (closed || Thread.currentThread().isInterrupted()) {
                return; // stopping: not an error worth a status line
            }
            String message = e instanceof IOException io ? "patch Node " + node + ": " + describe(io)
                    : e.getMessage();
            if (e instanceof KubeApiException k && k.code() == 404) {
                message = "patch Node " + node + ": no such Node (is the local nodename the Kubernetes node name?)";
            }
            s.state.error(message);
            Duration delay = pushBackoff.next();
            s.nextPushAttempt = now.plus(delay);
            pass.wakeIn(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private void writeAffiliates(Map<String, NodeView> nodes, String ownId, String ownNode) {
        Map<String, Affiliate> out = new TreeMap<>();
        Map<String, String> sourceNode = new HashMap<>();
        for (NodeView n : nodes.values()) {
            NodeAnnotations.Parsed p = NodeAnnotations.toAffiliate(n);
            List<String> problems = p == null ? new ArrayList<>() : new ArrayList<>(p.problems());
            if (p != null && !n.name().equals(ownNode) && !p.affiliate().nodeId().equals(ownId)) {
                String id = ID_PREFIX + p.affiliate().nodeId();
                String earlier = sourceNode.putIfAbsent(id, n.name());
                if (earlier == null) {
                    out.put(id, p.affiliate());
                } else {
                    problems.add("Node " + n.name() + " carries the node-id of Node " + earlier
                            + "; ignored (a stale Node of a reinstalled machine?)");
                }
            }
            report(n.name(), problems);
        }
        reportedProblems.keySet().retainAll(nodes.keySet());
        out.forEach((id, a) -> pass.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, id, a));
        deleteOwnedAffiliates(out);
        written = out.size();
    }

    private void report(String node, List<String> problems) {
        List<String> before = reportedProblems.put(node, problems);
        if (!problems.isEmpty() && !problems.equals(before)) {
            problems.forEach(p -> log.warn("Kubernetes registry: " + p));
        }
    }

    private void deleteOwnedAffiliates(Map<String, ?> keep) {
        pass.deleteOwnedExcept(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, keep.keySet());
    }

    private void writeStatus(RegistryStatus s) {
        pass.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, STATUS_ID, s);
    }

    private <S> Optional<S> spec(ResourceType<S> type, String namespace, String id) {
        return pass.spec(type, namespace, id);
    }

    private static Instant steadyNow(ControllerContext ctx) {
        return Instant.EPOCH.plusNanos(ctx.nanoTime());
    }
}
