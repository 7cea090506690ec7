package dev.kubespan.discovery.server.internal.state;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The state's semantics (docs/discovery-protocol.md §4.1–§4.4) with a fake clock. */
public class StateTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final State state = new State(Limits.DEFAULT, now::get);
    private static final Duration TTL = Duration.ofMinutes(30);

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static StateException.Kind failure(Runnable r) {
        try {
            r.run();
        } catch (StateException e) {
            return e.kind();
        }
        fail("expected a StateException");
        return null;
    }

    private static String repeat(int n) {
        return "x".repeat(n);
    }

    private AffiliateView only(String cluster) {
        List<AffiliateView> l = state.list(cluster);
        assertEquals(1, l.size());
        return l.get(0);
    }

    @Test
    public void clusterIdLimits() {
        assertEquals(StateException.Kind.INVALID_ARGUMENT, failure(() -> state.touch("")));
        assertEquals(StateException.Kind.INVALID_ARGUMENT, failure(() -> state.list(repeat(257))));
        assertEquals(StateException.Kind.INVALID_ARGUMENT, failure(() -> state.watch(repeat(257), () -> { })));
        state.touch(repeat(256));
        assertEquals(StateException.Kind.INVALID_ARGUMENT,
                failure(() -> state.update("", "a", null, List.of(), TTL)));
    }

    @Test
    public void affiliateIdDataEndpointAndTtlLimits() {
        assertEquals(StateException.Kind.INVALID_ARGUMENT, failure(() -> state.update("c", "", null, List.of(), TTL)));
        assertEquals(StateException.Kind.INVALID_ARGUMENT,
                failure(() -> state.update("c", repeat(257), null, List.of(), TTL)));
        assertEquals(StateException.Kind.INVALID_ARGUMENT, failure(() -> state.delete("c", "")));
        assertEquals(StateException.Kind.INVALID_ARGUMENT,
                failure(() -> state.update("c", "a", new byte[2049], List.of(), TTL)));
        assertEquals(StateException.Kind.INVALID_ARGUMENT,
                failure(() -> state.update("c", "a", null, List.of(new byte[33]), TTL)));
        assertEquals(StateException.Kind.INVALID_ARGUMENT,
                failure(() -> state.update("c", "a", null, List.of(), TTL.plusSeconds(1))));
        assertTrue("nothing stored by refused requests", state.list("c").isEmpty());
        state.update("c", repeat(256), new byte[2048], List.of(new byte[32]), TTL);
        assertEquals(1, state.list("c").size());
    }

    @Test
    public void thousandTwentyFifthAffiliateIsRefused() {
        for (int i = 0; i < 1024; i++) {
            state.update("c", "a" + i, b(1), List.of(), TTL);
        }
        StateException e = null;
        try {
            state.update("c", "one-too-many", b(1), List.of(), TTL);
        } catch (StateException x) {
            e = x;
        }
        assertEquals(StateException.Kind.RESOURCE_EXHAUSTED, e.kind());
        assertEquals("too many affiliates in the cluster", e.getMessage());
        state.update("c", "a5", b(2), List.of(), TTL); // existing ones can still be updated
        assertEquals(1024, state.list("c").size());
        state.update("other", "a", b(1), List.of(), TTL); // the limit is per cluster
    }

    @Test
    public void sixtyFifthEndpointIsRefusedButEarlierOnesAreKept() {
        List<byte[]> sixty = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sixty.add(b(i));
        }
        state.update("c", "a", b(1), sixty, TTL);
        List<byte[]> more = new ArrayList<>();
        for (int i = 60; i < 70; i++) {
            more.add(b(i));
        }
        try {
            state.update("c", "a", null, more, TTL);
            fail();
        } catch (StateException e) {
            assertEquals(StateException.Kind.RESOURCE_EXHAUSTED, e.kind());
            assertEquals("too many endpoints in the affiliate", e.getMessage());
        }
        assertEquals(64, only("c").endpoints().size());
        state.update("c", "a", null, List.of(b(0), b(63)), TTL); // known ones are fine
    }

    @Test
    public void updateMergesEndpointsAndKeepsDataWhenAbsentOrEmpty() {
        state.update("c", "a", b(1), List.of(b(10)), TTL);
        state.update("c", "a", null, List.of(b(11), b(10)), TTL);
        state.update("c", "a", new byte[0], List.of(), TTL);
        AffiliateView a = only("c");
        assertEquals(Blob.copyOf(b(1)), a.data());
        assertEquals(List.of(Blob.copyOf(b(10)), Blob.copyOf(b(11))), a.endpoints());
        state.update("c", "a", b(2), List.of(), TTL);
        assertEquals(Blob.copyOf(b(2)), only("c").data());
    }

    @Test
    public void watchGetsSnapshotThenOneEventPerChange() {
        state.update("c", "a", b(1), List.of(), TTL);
        AtomicInteger signals = new AtomicInteger();
        Subscription s = state.watch("c", signals::incrementAndGet);
        assertEquals(1, s.snapshot().size());
        assertEquals("a", s.snapshot().get(0).id());

        state.update("c", "b", b(2), List.of(b(9)), TTL); // new: event
        state.update("c", "b", null, List.of(b(9)), TTL); // nothing new: no event
        state.update("c", "b", b(2), List.of(), TTL); // data always notifies
        state.delete("c", "b");
        state.delete("c", "unknown"); // no event
        ClusterEvent e1 = s.poll();
        assertEquals("b", e1.id());
        assertEquals(List.of(Blob.copyOf(b(9))), e1.affiliate().endpoints());
        ClusterEvent e2 = s.poll();
        assertEquals("b", e2.id());
        assertTrue(!e2.isDeleted());
        ClusterEvent e3 = s.poll();
        assertTrue(e3.isDeleted());
        assertNull(s.poll());
        assertEquals(3, signals.get());

        s.cancel();
        state.update("c", "x", b(1), List.of(), TTL);
        assertNull(s.poll());
    }

    @Test
    public void overflowingWatcherIsDroppedAndMarkedLost() {
        Subscription s = state.watch("c", () -> { });
        for (int i = 0; i < Limits.DEFAULT.watchBufferSize(); i++) {
            state.update("c", "a", b(i), List.of(), TTL);
        }
        assertEquals(Subscription.Status.ACTIVE, s.status());
        state.update("c", "a", b(99), List.of(), TTL);
        assertEquals(Subscription.Status.LOST, s.status());
        assertNull(s.poll());
        assertEquals(0, state.stats().subscriptions());
    }

    @Test
    public void watcherThatReadsSlowlyGetsMoreRoomUpToABound() {
        Subscription s = state.watch("c", () -> { });
        int capacity = Limits.DEFAULT.watchBufferSize();
        int offered = 0;
        // Takes one event per 'capacity' offered: it falls behind, but it reads.
        for (int round = 0; round < Subscription.GROWTH; round++) {
            for (int i = 0; i < capacity; i++) {
                state.update("c", "a", b(offered++), List.of(), TTL);
            }
            assertEquals("round " + round, Subscription.Status.ACTIVE, s.status());
            assertNotNull(s.poll());
        }
        // Now 'GROWTH * capacity - GROWTH' pending: the bound holds even for a watcher that reads.
        for (int i = 0; i < Subscription.GROWTH; i++) {
            state.update("c", "a", b(offered++), List.of(), TTL);
        }
        assertNotNull(s.poll());
        state.update("c", "a", b(offered++), List.of(), TTL);
        assertEquals(Subscription.Status.ACTIVE, s.status());
        state.update("c", "a", b(offered++), List.of(), TTL);
        assertEquals(Subscription.Status.LOST, s.status());
        assertNull(s.poll());
        assertEquals(0, state.stats().subscriptions());
    }

    @Test
    public void watcherThatStopsReadingAfterCatchingUpIsLostAtCapacity() {
        Subscription s = state.watch("c", () -> { });
        int capacity = Limits.DEFAULT.watchBufferSize();
        for (int i = 0; i < capacity; i++) {
            state.update("c", "a", b(i), List.of(), TTL);
        }
        while (s.poll() != null) {
            // caught up: reads everything, then stops reading
        }
        for (int i = 0; i < capacity; i++) {
            state.update("c", "a", b(i + 1), List.of(), TTL);
        }
        assertEquals(Subscription.Status.ACTIVE, s.status());
        state.update("c", "a", b(99), List.of(), TTL);
        assertEquals(Subscription.Status.LOST, s.status());
    }

    @Test
    public void gcExpiresAffiliatesAndEndpointsAndNotifies() {
        state.update("c", "short", b(1), List.of(), Duration.ofSeconds(10));
        state.update("c", "long", b(1), List.of(b(5)), Duration.ofMinutes(5));
        state.update("c", "long", null, List.of(b(6)), Duration.ofSeconds(10));
        Subscription s = state.watch("c", () -> { });
        now.addAndGet(10_000);
        assertEquals(0, state.gc().removedAffiliates()); // expiration not yet before now
        ClusterEvent endpointsGone = s.poll(); // but the 10 s endpoint is not after now: dropped
        assertEquals("long", endpointsGone.id());
        assertEquals(List.of(Blob.copyOf(b(5))), endpointsGone.affiliate().endpoints());
        now.addAndGet(1);
        State.GcResult r = state.gc();
        assertEquals(1, r.removedAffiliates());
        ClusterEvent deleted = s.poll();
        assertTrue(deleted.isDeleted());
        assertEquals("short", deleted.id());
    }

    @Test
    public void endpointOnlyUpdateKeepsAffiliateAlive() {
        state.update("c", "a", b(1), List.of(), Duration.ofSeconds(10));
        state.update("c", "a", null, List.of(b(7)), Duration.ofMinutes(1)); // report from another node
        now.addAndGet(30_000);
        state.gc();
        assertEquals(Blob.copyOf(b(1)), only("c").data());
    }

    @Test
    public void dataUpdateMayShortenTheAffiliateLifetime() {
        state.update("c", "a", b(1), List.of(), Duration.ofMinutes(10));
        state.update("c", "a", b(2), List.of(), Duration.ofSeconds(5));
        now.addAndGet(6_000);
        state.gc();
        assertTrue(state.list("c").isEmpty());
    }

    @Test
    public void zeroTtlExpiresAtTheNextGc() {
        state.update("c", "a", b(1), List.of(), Duration.ZERO);
        now.addAndGet(1);
        state.gc();
        assertTrue(state.list("c").isEmpty());
    }

    @Test
    public void idleClustersAreRemovedButWatchedOnesStay() {
        state.touch("idle");
        Subscription s = state.watch("watched", () -> { });
        State.GcResult r = state.gc();
        assertEquals(1, r.removedClusters());
        assertEquals(1, state.stats().clusters());
        s.cancel();
        state.gc();
        assertEquals(0, state.stats().clusters());
        state.update("idle", "a", b(1), List.of(), TTL); // recreated lazily
        assertEquals(1, state.list("idle").size());
    }

    @Test
    public void closeAllSubscriptionsMarksThemClosed() {
        Subscription s = state.watch("c", () -> { });
        state.closeAllSubscriptions();
        assertEquals(Subscription.Status.CLOSED, s.status());
    }

    @Test
    public void dumpAndRestoreKeepRemainingLifetimes() {
        state.update("c", "a", b(1, 2), List.of(b(3)), Duration.ofMinutes(10));
        now.addAndGet(60_000);
        StateDump dump = state.dump();
        assertEquals(1, dump.affiliateCount());
        assertEquals(540_000, dump.clusters().get(0).affiliates().get(0).remainingMillis());

        AtomicLong later = new AtomicLong(5_000_000_000L);
        State restored = new State(Limits.DEFAULT, later::get);
        restored.restore(dump);
        AffiliateView a = restored.list("c").get(0);
        assertEquals(Blob.copyOf(b(1, 2)), a.data());
        later.addAndGet(539_000);
        restored.gc();
        assertEquals(1, restored.list("c").size());
        later.addAndGet(2_000);
        restored.gc();
        assertTrue(restored.list("c").isEmpty());
    }

    @Test
    public void serverWideCapsOnClustersAndAffiliatesAreFreedAgain() {
        State capped = new State(Limits.DEFAULT.withCaps(2, 3), now::get);
        capped.update("c1", "a", b(1), List.of(), TTL);
        capped.update("c1", "b", b(1), List.of(), Duration.ofSeconds(1));
        capped.update("c2", "a", b(1), List.of(), TTL);
        capped.touch("c3"); // naming a cluster is free: only clusters holding affiliates count
        StateException clusters = assertThrows(StateException.class, () -> capped.update("c3", "a", b(1), List.of(), TTL));
        assertEquals("too many clusters on this server", clusters.getMessage());
        assertEquals("clusters", clusters.limit());
        StateException affiliates = assertThrows(StateException.class,
                () -> capped.update("c2", "b", b(1), List.of(), TTL));
        assertEquals(StateException.Kind.RESOURCE_EXHAUSTED, affiliates.kind());
        assertEquals("too many affiliates on this server", affiliates.getMessage());
        assertEquals("affiliates", affiliates.limit());
        capped.update("c1", "a", b(2), List.of(b(9)), TTL); // existing ones can still be updated

        capped.delete("c2", "a"); // c2 is empty again: a cluster and an affiliate are free
        capped.update("c3", "a", b(1), List.of(), TTL);
        now.addAndGet(2_000);
        capped.gc(); // c1/b expired: one affiliate free
        capped.update("c3", "b", b(1), List.of(), TTL);
        assertThrows(StateException.class, () -> capped.update("c3", "c", b(1), List.of(), TTL));
        assertEquals(3, capped.stats().affiliates());
    }
}
