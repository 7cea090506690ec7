package dev.kubespan.nat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.controller.SteadyClock;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.PeerPath;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RelayAllocation;
import dev.kubespan.nat.internal.relay.Coturn;
import dev.kubespan.test.ControllerHarness;

/**
 * {@link RelayController} with several relay servers: a real coturn on loopback and a port where
 * nothing listens (the kernel answers port unreachable at once). A peer that is down needs the
 * relay; the controller's passes are run by the test while the relay's own thread works.
 */
public class RelayControllerTest {
    private final ControllerHarness h = new ControllerHarness();
    private RunningController controller;

    @After
    public void close() {
        if (controller != null) {
            controller.close();
        }
        h.close();
    }

    private static int deadPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void start(String secret, String... servers) {
        h.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID, KubeSpanConfig.builder()
                .enabled(true).clusterId("cluster").sharedSecret("c2VjcmV0").forceRouting(true).listenPort(51820).build());
        h.put(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID,
                new NatConfig(List.of(), List.of(servers), "", "", secret));
        h.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, "peer-b", new KubeSpanPeerStatus("", "b",
                PeerState.DOWN, 0, 0, null, "192.0.2.2:51820", h.now(), PeerPath.PROBING, ""));
        RelayController relay = new RelayController(Clock.systemUTC(), SteadyClock.system(), h.log);
        controller = h.start(relay);
    }

    private Map<String, RelayAllocation> awaitAllocations(Predicate<Map<String, RelayAllocation>> done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, RelayAllocation> last = Map.of();
        while (System.nanoTime() < deadline) {
            h.pass(controller);
            last = h.specs(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not reached: " + what + "; last " + last);
    }

    @Test
    public void aFailedRelayServerIsLeftForTheNextAndStaysListedWithItsError() throws Exception {
        String dead = "127.0.0.1:" + deadPort();
        try (Coturn coturn = new Coturn("s3cret-for-test")) {
            String good = "127.0.0.1:" + coturn.port;
            start(coturn.secret, dead, good);
            Map<String, RelayAllocation> a = awaitAllocations(m -> m.containsKey(good)
                    && "allocated".equals(m.get(good).state()), "an allocation on the second server");
            assertEquals("failed", a.get(dead).state());
            assertTrue(a.get(dead).error(), a.get(dead).error().contains("does not listen"));
            assertTrue(a.get(dead).relayedEndpoint().isEmpty());
            assertFalse(a.get(good).relayedEndpoint().isEmpty());
            assertTrue(h.log.warned("the relay " + dead + " cannot be used"));
        }
    }

    @Test
    public void whenEveryServerFailedTheOneInUseRetriesInsteadOfTakingTurnsInALoop() throws Exception {
        String first = "127.0.0.1:" + deadPort();
        String second = "127.0.0.1:" + deadPort();
        start("c2VjcmV0", first, second);
        awaitAllocations(m -> m.containsKey(first) && m.containsKey(second)
                && "failed".equals(m.get(second).state()), "both servers failed");
        long taken = h.log.count(l -> l.contains("taking a relay allocation"));
        for (int i = 0; i < 40; i++) {
            h.pass(controller);
            Thread.sleep(50);
        }
        assertEquals("no server taken again within a minute of its failure", taken,
                h.log.count(l -> l.contains("taking a relay allocation")));
        assertEquals(2, taken);

        h.advance(RelayController.RETRY_LEFT_AFTER.plusSeconds(1));
        awaitAllocations(m -> h.log.count(l -> l.contains("taking a relay allocation")) == 3, "the first one tried again");
    }

    @Test
    public void newCredentialsForgetEarlierFailures() throws Exception {
        String first = "127.0.0.1:" + deadPort();
        String second = "127.0.0.1:" + deadPort();
        start("c2VjcmV0", first, second);
        awaitAllocations(m -> m.containsKey(second) && "failed".equals(m.get(second).state()), "both servers failed");
        h.log.clear();
        h.put(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID,
                new NatConfig(List.of(), List.of(first, second), "", "", "bmV3LXNlY3JldA=="));
        // the first at once, then the second after its failure: no minute of waiting for old failures
        awaitAllocations(m -> h.log.count(l -> l.contains("taking a relay allocation")) == 2, "both tried again");
        assertTrue(h.log.lines().get(0), h.log.lines().stream().anyMatch(l -> l.contains("allocation on " + first)));
    }
}
