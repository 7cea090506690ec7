package dev.kubespan.status.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.LoopInputs;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ReconcileLoop;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * Runs {@link PeerStatusReconciler} on its own thread: at once on any change of its inputs (peer
 * specs, KubeSpan config, affiliates for harvesting, the link's status), every
 * {@code peerReconcileInterval}, and exactly when some peer's state can change by time alone —
 * so a dead endpoint is abandoned right after {@code endpointConnectionTimeout} instead of at
 * the next tick. Exactly one wake is pending at a time; each pass replaces it.
 */
@Component(service = {}, immediate = true)
public final class PeerStatusController {
    private final PeerStatusReconciler reconciler;
    private final Clock clock;
    private final Logger log;
    private final ReconcileLoop loop;
    private final LoopInputs inputs;
    /** Touched only on the loop thread. */
    private ScheduledFuture<?> wake;
    private volatile Instant nextWake;

    @Activate
    public PeerStatusController(@Reference ResourceStore store, @Reference WireGuardControl wireGuard,
            @Reference(service = LoggerFactory.class) Logger log) {
        this(store, wireGuard, log, Clock.systemUTC());
    }

    PeerStatusController(ResourceStore store, WireGuardControl wireGuard, Logger log, Clock clock) {
        this.clock = clock;
        this.log = log;
        this.reconciler = new PeerStatusReconciler(store, wireGuard, clock, log);
        this.loop = new ReconcileLoop("kubespan-peer-status", this::runOnce,
                t -> log.error("peer status pass failed unexpectedly", t));
        this.inputs = new LoopInputs(store, loop)
                .watch(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG)
                .watch(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)
                .watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)
                // The link appearing or gaining peers is the moment a chosen endpoint takes effect.
                .watch(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN);
        loop.trigger();
    }

    @Deactivate
    public void deactivate() {
        // Our resources stay in the store: a restarted bundle continues from them.
        inputs.close();
        loop.close();
    }

    /** When the pending wake is due; null when none is (KubeSpan off). For tests. */
    Instant nextWake() {
        return nextWake;
    }

    private void runOnce() {
        Instant next;
        try {
            next = reconciler.reconcile();
        } catch (RuntimeException e) {
            log.error("peer status pass failed; retrying in {}", KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL, e);
            next = clock.instant().plus(KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL);
        }
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        nextWake = next;
        if (next != null) {
            long delay = Math.max(0, Duration.between(clock.instant(), next).toNanos());
            try {
                wake = loop.executor().schedule(loop::trigger, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // deactivating
            }
        }
    }
}
