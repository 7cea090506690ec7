package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.wireguard.Key;

/** The component's wiring: watches trigger passes, wakes are scheduled, deactivation cleans up. */
public class PeerStatusControllerTest {
    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final String E1 = "192.0.2.1:51820";

    private final FakeStore store = new FakeStore();
    private final FakeWireGuard wg = new FakeWireGuard();
    private final MutableClock clock = new MutableClock(START);
    private final RecordingLogger log = new RecordingLogger();
    private final Key key = Key.generatePrivateKey().publicKey();
    private final String id = key.toBase64();
    private PeerStatusController controller;

    @After
    public void stop() {
        if (controller != null) {
            controller.deactivate();
        }
    }

    private void config(Duration tick) {
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                new KubeSpanConfig(true, "cluster", "c2VjcmV0", true, false, 0, List.of(), false, List.of(),
                        List.of(), 0, List.of(), tick, null, null),
                "test");
    }

    private void spec(String label) {
        store.put(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN, id,
                new KubeSpanPeerSpec("fd00::2", List.of("fd00::2/128"), List.of(E1), label), "manager");
    }

    private KubeSpanPeerStatus status() {
        return store.get(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, id).map(r -> r.spec())
                .orElse(null);
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not reached within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    public void inputChangesRunAPassAndTheConnectionTimeoutWakeIsScheduled() throws Exception {
        config(null);
        wg.peer(key, null, null, 0, 0);
        controller = new PeerStatusController(store, wg, log.logger, clock);
        spec("node-b");

        eventually("status created", () -> status() != null);
        eventually("wake at the connection timeout",
                () -> START.plus(KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT).plus(PeerStateMachine.WAKE_MARGIN)
                        .equals(controller.nextWake()));
        assertEquals(E1, status().lastUsedEndpoint());
        assertEquals(List.of(Map.of(key, Endpoint.parse(E1))), wg.updates());

        spec("node-b-renamed");
        eventually("label refreshed", () -> "node-b-renamed".equals(status().label()));

        store.delete(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        eventually("statuses deleted and no wake while off", () -> status() == null && controller.nextWake() == null);
    }

    @Test
    public void theReconcileIntervalKeepsPolling() throws Exception {
        config(Duration.ofMillis(20));
        controller = new PeerStatusController(store, wg, log.logger, clock);
        eventually("three polls without any input change", () -> wg.reads.get() >= 3);
    }

    @Test
    public void deactivationClosesTheWatchesAndTheThread() throws Exception {
        config(null);
        controller = new PeerStatusController(store, wg, log.logger, clock);
        eventually("first pass", () -> controller.nextWake() != null);
        assertEquals(4, store.watches.size());
        assertTrue(loopThreadAlive());

        controller.deactivate();
        controller = null;
        assertEquals(0, store.watches.size());
        eventually("loop thread gone", () -> !loopThreadAlive());
        // our output outlives us
        spec("x");
        assertFalse(loopThreadAlive());
    }

    @Test
    public void aFailingPassIsLoggedAndRetried() throws Exception {
        config(null);
        controller = new PeerStatusController(new BrokenStore(store), wg, log.logger, clock);
        eventually("failure logged", () -> log.has("error", "retrying in"));
        eventually("retry scheduled", () -> START.plus(KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL)
                .equals(controller.nextWake()));
    }

    private static boolean loopThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("kubespan-peer-status") && t.isAlive());
    }
}
