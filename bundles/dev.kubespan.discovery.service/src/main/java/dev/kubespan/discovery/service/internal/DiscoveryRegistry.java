package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.api.Resource;
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
import dev.kubespan.api.spec.Affiliates;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;

/**
 * The discovery-service registry: reads {@code DiscoveryConfig}, {@code KubeSpanConfig},
 * {@code NodeIdentity}, the local {@code Affiliate} and harvested {@code KubeSpanEndpoint}s,
 * runs one {@link DiscoveryClient} per configured service, and writes the merged raw affiliates
 * ({@code cluster-raw/service/<nodeId>}), the public address ({@code cluster/service}) and one
 * {@code RegistryStatus} per service. All store writes happen in the passes of one controller
 * ({@value #NAME}), which each client's news triggers.
 *
 * <p>Leave versus update: {@link #close()} (bundle update, framework stop) only stops the
 * clients; the node stays published and its record lives on at the services. Only a running
 * reconcile that sees the configuration turn discovery or KubeSpan off, remove the
 * configuration, or drop / move a service sends AffiliateDelete.
 */
public final class DiscoveryRegistry implements AutoCloseable, Controller {
    public static final String NAME = "dev.kubespan.discovery.service/registry";
    public static final String ID_PREFIX = "service/";
    public static final String ADDRESS_ID = "service";
    public static final Duration TTL = Duration.ofMinutes(30);
    public static final String CLIENT_VERSION = "kubespan-osgi/0.1";

    private final ResourceStore store;
    private final Log log;
    private final DiscoveryClient.ChannelFactory channels;
    private final Clock clock;
    private final DoubleSupplier random;
    private final SecureRandom secureRandom;
    private final Duration ttl;
    private final RateLimitedLog rateLimited;
    private final PublicationBuilder publications;
    private final Instant startedAt;
    private RunningController loop;

    /** Guards the client maps between the reconcile thread and {@link #close()}. */
    private final Object lock = new Object();
    private final Map<String, DiscoveryClient> clients = new LinkedHashMap<>();
    /** Clients stopping or leaving (AffiliateDelete in flight). */
    private final List<DiscoveryClient> retiring = new ArrayList<>();
    /**
     * Raw affiliates written before this start (e.g. by the previous bundle revision) are not
     * deleted until every client has its first snapshot or a TTL has passed, so an update does not
     * make peers vanish and come back.
     */
    private boolean carryOver = true;
    private volatile boolean closed;
    /** The node ID last seen, to ignore changes of other nodes' merged affiliates. */
    private volatile String ownId;

    public DiscoveryRegistry(ResourceStore store, Log log, DiscoveryClient.ChannelFactory channels, Clock clock,
            DoubleSupplier random, SecureRandom secureRandom, Duration ttl) {
        this.store = store;
        this.log = log;
        this.channels = channels;
        this.clock = clock;
        this.random = random;
        this.secureRandom = secureRandom;
        this.ttl = ttl;
        this.rateLimited = new RateLimitedLog(log::warn, System::nanoTime, Duration.ofMinutes(10), 4096);
        this.publications = new PublicationBuilder(rateLimited::log);
        this.startedAt = clock.instant();
    }

    /** Starts watching the inputs; returns at once (all work happens in the controller's passes). */
    public void start() {
        loop = new ControllerRuntime(store, log).start(this);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER),
                // ns cluster also holds every merged affiliate; only the local one is an input.
                Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER).where(r -> ownId == null || r.id().equals(ownId)),
                Input.of(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.shared(ResourceTypes.AFFILIATE), Output.exclusive(ResourceTypes.DISCOVERED_ADDRESS),
                Output.shared(ResourceTypes.REGISTRY_STATUS));
    }


    /**
     * Stops everything and waits for every thread: no AffiliateDelete, no output deleted. Called
     * from {@code @Deactivate}, i.e. on bundle update as much as on shutdown.
     */
    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            loop.close();
        }
        synchronized (lock) {
            List<DiscoveryClient> all = new ArrayList<>(clients.values());
            all.addAll(retiring);
            clients.clear();
            retiring.clear();
            // Stop all at once, then wait: shutdown time does not grow with the number of services.
            all.forEach(DiscoveryClient::requestStop);
            all.forEach(DiscoveryClient::awaitStop);
        }
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        synchronized (lock) {
            if (!closed) {
                reconcileLocked(ctx);
                if (carryOver) {
                    ctx.wakeAt(startedAt.plus(ttl).plusSeconds(1)); // the carry-over ends by then at the latest
                }
            }
        }
    }

    private void reconcileLocked(ControllerContext ctx) {
        Optional<DiscoveryConfig> dc = ctx.spec(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID);
        Optional<KubeSpanConfig> kc = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        Optional<String> nodeId = ctx.spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(NodeIdentity::nodeId).filter(s -> !s.isEmpty());
        ownId = nodeId.orElse(null);
        RegistryPlan plan = RegistryPlan.compute(dc, kc, nodeId, secureRandom, ttl, CLIENT_VERSION);

        applyClients(plan);
        if (plan.running()) {
            String own = nodeId.orElseThrow();
            Affiliate local = ctx.spec(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, own).orElse(null);
            List<KubeSpanEndpoint> harvested = ctx.list(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN)
                    .stream().map(Resource::spec).toList();
            SealedPayloads payloads = plan.clients().values().iterator().next().payloads();
            Publication p = publications.build(payloads, own, local, harvested);
            for (DiscoveryClient c : clients.values()) {
                c.publish(p);
            }
        }
        writeOutputs(ctx, plan);
        retiring.removeIf(DiscoveryClient::isDone);
    }

    private void applyClients(RegistryPlan plan) {
        for (Iterator<Map.Entry<String, DiscoveryClient>> it = clients.entrySet().iterator(); it.hasNext();) {
            DiscoveryClient c = it.next().getValue();
            DiscoveryClient.Settings wanted = plan.clients().get(c.settings().name());
            if (c.settings().sameAs(wanted)) {
                continue;
            }
            it.remove();
            if (plan.waiting() || !plan.abandons(c.settings())) {
                // Restarted with new settings (key, version): the node stays published there.
                c.requestStop();
            } else {
                log.info("discovery service " + c.settings().name() + ": leaving (" + leaveReason(plan) + ")");
                c.leave();
            }
            // Not waited for here; close() waits for whatever is still running.
            retiring.add(c);
        }
        List<String> order = new ArrayList<>(plan.clients().keySet());
        Map<String, DiscoveryClient> next = new LinkedHashMap<>();
        for (String name : order) {
            DiscoveryClient c = clients.get(name);
            if (c == null) {
                c = new DiscoveryClient(plan.clients().get(name), channels, loop::trigger, log, rateLimited, random,
                        clock);
                c.start();
                log.info("discovery service " + name + ": client started for " + c.settings().target());
            }
            next.put(name, c);
        }
        clients.clear();
        clients.putAll(next);
    }

    private static String leaveReason(RegistryPlan plan) {
        return plan.running() ? "no longer configured for this service, cluster or node" : plan.reason();
    }

    private void writeOutputs(ControllerContext ctx, RegistryPlan plan) {
        if (plan.waiting()) {
            writeStatuses(ctx, plan);
            return;
        }
        if (!plan.running()) {
            carryOver = false;
            deleteAll(ctx, ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, Map.of());
            ctx.delete(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, ADDRESS_ID);
            writeStatuses(ctx, plan);
            return;
        }
        if (carryOver && (clients.values().stream().allMatch(DiscoveryClient::synced)
                || !clock.instant().isBefore(startedAt.plus(ttl)))) {
            carryOver = false;
        }
        SortedMap<String, Affiliate> merged = merge(clients.values().stream().map(DiscoveryClient::affiliates).toList());
        Map<String, Affiliate> byResourceId = new LinkedHashMap<>();
        merged.forEach((id, a) -> byResourceId.put(ID_PREFIX + id, a));
        byResourceId.forEach((id, a) -> ctx.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, id, a));
        if (!carryOver) {
            deleteAll(ctx, ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, byResourceId);
        }
        writeAddress(ctx);
        writeStatuses(ctx, plan);
    }

    /**
     * Merges the services' views by node ID with the shared affiliate merge, in configured
     * order (the first service's view is the base).
     */
    public static SortedMap<String, Affiliate> merge(List<? extends Map<String, Affiliate>> views) {
        SortedMap<String, List<Affiliate>> byNode = new TreeMap<>();
        for (Map<String, Affiliate> view : views) {
            view.forEach((id, a) -> byNode.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
        }
        SortedMap<String, Affiliate> out = new TreeMap<>();
        byNode.forEach((id, list) -> out.put(id, Affiliates.mergeAll(list)));
        return out;
    }

    private void writeAddress(ControllerContext ctx) {
        Optional<String> ip = clients.values().stream().map(DiscoveryClient::publicIp).flatMap(Optional::stream)
                .findFirst();
        if (ip.isPresent()) {
            ctx.put(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, ADDRESS_ID, new DiscoveredAddress(ip.get()));
        } else if (clients.values().stream().allMatch(DiscoveryClient::helloAnswered)) {
            // Every service answered and none saw an address: an old one would be wrong.
            ctx.delete(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, ADDRESS_ID);
        }
    }

    private void writeStatuses(ControllerContext ctx, RegistryPlan plan) {
        Map<String, RegistryStatus> statuses = new LinkedHashMap<>();
        for (DiscoveryClient c : clients.values()) {
            statuses.put(ID_PREFIX + c.settings().name(), c.status());
        }
        plan.disabled().forEach((name, d) -> statuses.put(ID_PREFIX + name,
                new RegistryStatus(ID_PREFIX + name, d.endpoint(), ConnectionState.DISABLED, 0, d.reason(), Times.ZERO)));
        statuses.forEach((id, s) -> ctx.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, id, s));
        deleteAll(ctx, ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, statuses);
    }

    /** Deletes this registry's resources of a type that are not in {@code keep}. */
    private static void deleteAll(ControllerContext ctx, ResourceType<?> type, String namespace, Map<String, ?> keep) {
        ctx.deleteOwnedExcept(type, namespace, keep.keySet());
    }
}
