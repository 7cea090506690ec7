package dev.kubespan.api.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.OwnershipException;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.Member;
import dev.kubespan.api.spec.NodeIdentity;

public class ControllerRuntimeTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualScheduler scheduler = new ManualScheduler(T0);
    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Log log = new Log() {
        @Override
        public void debug(String message) {
            logged.add("DEBUG " + message);
        }

        @Override
        public void info(String message) {
            logged.add("INFO " + message);
        }

        @Override
        public void warn(String message) {
            logged.add("WARN " + message);
        }

        @Override
        public void error(String message, Throwable cause) {
            logged.add("ERROR " + message + (cause == null ? "" : " [trace: " + cause.getClass().getSimpleName() + "]"));
        }
    };
    private final InMemoryResourceStore store = new InMemoryResourceStore(scheduler.clock(), Runnable::run, log);
    private final ControllerRuntime runtime = new ControllerRuntime(store, log, scheduler);
    private final List<RunningController> running = new ArrayList<>();

    @After
    public void stop() {
        running.forEach(RunningController::close);
        store.deactivate();
    }

    /** A controller whose body the test supplies. */
    private static final class TestController implements Controller {
        final String name;
        final List<Input<?>> inputs;
        final List<Output> outputs;
        final AtomicInteger passes = new AtomicInteger();
        volatile Consumer<ControllerContext> body = ctx -> {
        };

        TestController(String name, List<Input<?>> inputs, List<Output> outputs) {
            this.name = name;
            this.inputs = inputs;
            this.outputs = outputs;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Input<?>> inputs() {
            return inputs;
        }

        @Override
        public List<Output> outputs() {
            return outputs;
        }

        @Override
        public void reconcile(ControllerContext context) {
            passes.incrementAndGet();
            body.accept(context);
        }
    }

    private RunningController start(Controller c) {
        RunningController r = runtime.start(c);
        running.add(r);
        return r;
    }

    private void putEndpoint(String id, String endpoint) {
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, id, new KubeSpanEndpoint("n", endpoint), "writer");
    }

    @Test
    public void triggersAreCoalescedIntoOnePass() {
        TestController c = new TestController("test/coalesce",
                List.of(Input.of(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN)), List.of());
        start(c);
        scheduler.runDue();
        assertEquals("the first pass follows the snapshot", 1, c.passes.get());
        for (int i = 0; i < 50; i++) {
            putEndpoint("k" + i, "192.0.2.1:" + (1000 + i));
        }
        scheduler.runDue();
        assertEquals("50 changes while a pass was queued make one pass", 2, c.passes.get());
    }

    @Test
    public void aTriggerDuringAPassMakesExactlyOneMorePass() {
        TestController c = new TestController("test/during",
                List.of(Input.of(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN)), List.of());
        RunningController r = start(c);
        scheduler.runDue();
        c.body = ctx -> {
            if (c.passes.get() == 2) {
                putEndpoint("a", "192.0.2.1:1");
                r.trigger();
                putEndpoint("b", "192.0.2.1:2");
            }
        };
        r.trigger();
        scheduler.runDue();
        assertEquals(3, c.passes.get());
    }

    @Test
    public void noPassBeforeEveryInputDeliveredItsSnapshot() {
        TestController c = new TestController("test/gate", List.of(
                Input.of(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN),
                Input.of(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER)), List.of());
        // A store whose deliveries the test releases by hand.
        List<Runnable> held = new ArrayList<>();
        InMemoryResourceStore slow = new InMemoryResourceStore(scheduler.clock(), held::add, log);
        RunningController r = new ControllerRuntime(slow, log, scheduler).start(c);
        try {
            r.trigger();
            scheduler.runDue();
            assertEquals("a trigger before the snapshots arrived runs nothing", 0, c.passes.get());
            held.remove(0).run();
            scheduler.runDue();
            assertEquals("one of two snapshots is not enough", 0, c.passes.get());
            held.remove(0).run();
            scheduler.runDue();
            assertEquals(1, c.passes.get());
        } finally {
            r.close();
            slow.deactivate();
        }
    }

    @Test
    public void aWakeUpKeepsItsDelayWhenTheWallClockStepsDuringThePass() {
        TestController c = new TestController("test/step", List.of(), List.of());
        c.body = ctx -> {
            Instant t = ctx.now();
            scheduler.stepWallClock(Duration.ofHours(-1)); // date -s, while the pass runs
            ctx.wakeAt(t.plusSeconds(10));
        };
        start(c);
        scheduler.runDue();
        assertEquals(1, c.passes.get());
        c.body = ctx -> {
            ctx.now();
            scheduler.stepWallClock(Duration.ofHours(1));
            ctx.wakeIn(Duration.ofSeconds(10)); // reads the stepped clock: already relative to it
        };
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals("10 s after the first pass, not an hour later", 2, c.passes.get());
        c.body = ctx -> {
        };
        scheduler.advance(Duration.ofMillis(9999));
        assertEquals(2, c.passes.get());
        scheduler.advance(Duration.ofMillis(1));
        assertEquals("10 s after the second pass, neither at once nor an hour later", 3, c.passes.get());
    }

    @Test
    public void aPendingWakeUpKeepsItsDelayWhenTheWallClockStepsBetweenPasses() {
        TestController c = new TestController("test/step2", List.of(), List.of());
        c.body = ctx -> ctx.wakeIn(Duration.ofSeconds(10));
        start(c);
        scheduler.runDue();
        long nanos = scheduler.nanoTime();
        scheduler.stepWallClock(Duration.ofHours(-1));
        assertEquals("the monotonic clock does not step", nanos, scheduler.nanoTime());
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals(2, c.passes.get());
        scheduler.stepWallClock(Duration.ofHours(1));
        assertEquals("no pass merely because the wall clock moved", 2, c.passes.get());
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals(3, c.passes.get());
    }

    @Test
    public void aPassRunsAgainAtTheTimeItAskedFor() {
        TestController c = new TestController("test/wake", List.of(), List.of());
        c.body = ctx -> {
            ctx.wakeIn(Duration.ofSeconds(10));
            ctx.wakeIn(Duration.ofSeconds(3)); // the earliest request wins
        };
        RunningController r = start(c);
        scheduler.runDue();
        assertEquals(1, c.passes.get());
        assertEquals(T0.plusSeconds(3), r.nextWake().orElseThrow());
        scheduler.advance(Duration.ofMillis(2999));
        assertEquals(1, c.passes.get());
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(2, c.passes.get());
        c.body = ctx -> {
        };
        scheduler.advance(Duration.ofSeconds(3));
        assertEquals(3, c.passes.get());
        scheduler.advance(Duration.ofHours(1));
        assertEquals("a pass that asks for nothing is not woken", 3, c.passes.get());
        assertTrue(r.nextWake().isEmpty());
    }

    @Test
    public void aFailureIsRetriedWithGrowingBackoffAndLoggedOncePerCause() {
        TestController c = new TestController("test/fail", List.of(), List.of());
        AtomicInteger failing = new AtomicInteger(5);
        c.body = ctx -> {
            if (failing.getAndDecrement() > 0) {
                throw new IllegalStateException("device busy");
            }
        };
        RunningController r = start(c);
        scheduler.runDue();
        List<Duration> delays = new ArrayList<>();
        Instant last = T0;
        while (c.passes.get() < 6) {
            Instant due = r.nextWake().orElseThrow();
            delays.add(Duration.between(last, due));
            last = due;
            scheduler.advance(Duration.between(scheduler.now(), due));
        }
        assertEquals(5, delays.size());
        for (int i = 1; i < delays.size(); i++) {
            assertTrue("backoff grows: " + delays, delays.get(i).compareTo(delays.get(i - 1)) > 0);
        }
        assertTrue(delays.get(0).compareTo(Duration.ofMillis(100)) >= 0);
        long errors = logged.stream().filter(l -> l.startsWith("ERROR test/fail")).count();
        assertEquals("one error for one cause, with its stack trace: " + logged, 1, errors);
        assertTrue(logged.stream().anyMatch(l -> l.startsWith("ERROR") && l.contains("[trace: IllegalStateException]")));
        assertTrue(logged.contains("INFO test/fail: recovered"));
        assertTrue("after recovery nothing is pending", r.nextWake().isEmpty());
    }

    @Test
    public void aSecondWriterOfAnExclusiveOutputIsRefusedNamingBothOwners() {
        start(new TestController("bundle.a/members", List.of(), List.of(Output.exclusive(ResourceTypes.MEMBER))));
        OwnershipException e = assertThrows(OwnershipException.class, () -> start(new TestController("bundle.b/members",
                List.of(), List.of(Output.exclusive(ResourceTypes.MEMBER)))));
        assertTrue(e.getMessage(), e.getMessage().contains("bundle.a/members") && e.getMessage().contains("bundle.b/members"));
        OwnershipException put = assertThrows(OwnershipException.class, () -> store.put(ResourceTypes.MEMBER,
                Namespaces.CLUSTER, "n1", new Member("id", List.of(), "h", "", "", null), "bundle.b/members"));
        assertTrue(put.getMessage(), put.getMessage().contains("bundle.a/members") && put.getMessage().contains("bundle.b/members"));
    }

    @Test
    public void sharedWritersKeepToTheirOwnResources() {
        TestController a = new TestController("reg/a", List.of(), List.of(Output.shared(ResourceTypes.NODE_IDENTITY)));
        TestController b = new TestController("reg/b", List.of(), List.of(Output.shared(ResourceTypes.NODE_IDENTITY)));
        a.body = ctx -> ctx.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "x", new NodeIdentity("from-a"));
        start(a);
        scheduler.runDue();
        AtomicBoolean refused = new AtomicBoolean();
        b.body = ctx -> {
            try {
                ctx.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "x", new NodeIdentity("from-b"));
            } catch (OwnershipException e) {
                refused.set(e.getMessage().contains("reg/a") && e.getMessage().contains("reg/b"));
            }
            ctx.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "y", new NodeIdentity("from-b"));
        };
        start(b);
        scheduler.runDue();
        assertTrue(refused.get());
        assertEquals("from-a", store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "x").orElseThrow().spec().nodeId());
        assertEquals("reg/b", store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "y").orElseThrow().metadata().owner());
        assertThrows(OwnershipException.class, () -> start(new TestController("other/exclusive", List.of(),
                List.of(Output.exclusive(ResourceTypes.NODE_IDENTITY)))));
    }

    @Test
    public void aStoppedControllersOutputsCanBeClaimedAgainAndItsResourcesStay() {
        TestController a = new TestController("bundle/peer-specs", List.of(), List.of(Output.exclusive(ResourceTypes.MEMBER)));
        a.body = ctx -> ctx.put(ResourceTypes.MEMBER, Namespaces.CLUSTER, "n1", new Member("id", List.of(), "h", "", "", null));
        RunningController r = start(a);
        scheduler.runDue();
        r.close();
        assertTrue(store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "n1").isPresent());
        TestController again = new TestController("bundle/peer-specs", List.of(),
                List.of(Output.exclusive(ResourceTypes.MEMBER)));
        again.body = ctx -> assertEquals(1, ctx.deleteOwnedExcept(ResourceTypes.MEMBER, Namespaces.CLUSTER, List.of()));
        start(again);
        scheduler.runDue();
        assertEquals(1, again.passes.get());
        assertTrue(store.get(ResourceTypes.MEMBER, Namespaces.CLUSTER, "n1").isEmpty());
    }

    @Test
    public void readingOrWritingAnUndeclaredTypeFails() {
        TestController c = new TestController("test/undeclared", List.of(), List.of());
        c.body = ctx -> ctx.list(ResourceTypes.MEMBER, Namespaces.CLUSTER);
        RunningController r = start(c);
        scheduler.runDue();
        assertTrue(logged.toString(), logged.stream().anyMatch(l -> l.contains("reads Member, which it declares neither")));
        assertTrue("a failed pass is retried", r.nextWake().isPresent());
    }

    @Test
    public void onlyTheNamedPartOfAnUpdateTriggers() {
        TestController c = new TestController("test/projection", List.of(Input
                .of(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN).onChangeOf(r -> r.spec().endpoint())),
                List.of());
        putEndpoint("k", "192.0.2.1:1");
        start(c);
        scheduler.runDue();
        assertEquals(1, c.passes.get());
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k", new KubeSpanEndpoint("other", "192.0.2.1:1"),
                "writer");
        scheduler.runDue();
        assertEquals("only the affiliate ID changed", 1, c.passes.get());
        putEndpoint("k", "192.0.2.1:2");
        scheduler.runDue();
        assertEquals(2, c.passes.get());
        store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k", "writer");
        scheduler.runDue();
        assertEquals(3, c.passes.get());
    }

    @Test
    public void runNowCompletesAfterAFreshPass() throws Exception {
        TestController c = new TestController("test/run-now", List.of(), List.of());
        RunningController r = start(c);
        scheduler.runDue();
        var f = r.runNow();
        assertFalse(f.isDone());
        scheduler.runDue();
        assertTrue(f.isDone());
        assertEquals(2, c.passes.get());
        r.close();
        assertTrue(r.runNow().isCompletedExceptionally());
    }

    /** With real threads: close() waits for the running pass, and nothing runs after it returns. */
    @Test
    public void stopWaitsForARunningPass() throws Exception {
        InMemoryResourceStore real = new InMemoryResourceStore();
        CountDownLatch inPass = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger passes = new AtomicInteger();
        TestController c = new TestController("test/stop", List.of(), List.of(Output.exclusive(ResourceTypes.MEMBER)));
        c.body = ctx -> {
            passes.incrementAndGet();
            inPass.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
            ctx.wakeIn(Duration.ofMillis(1));
        };
        RunningController r = new ControllerRuntime(real, log).start(c);
        try {
            assertTrue(inPass.await(5, TimeUnit.SECONDS));
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                release.countDown();
            });
            releaser.start();
            r.close();
            assertTrue("close returned only after the pass finished", finished.get());
            int after = passes.get();
            Thread.sleep(200);
            assertEquals("nothing runs after close", after, passes.get());
            // the claim is withdrawn: another owner may take the type now
            real.claim("someone/else", ResourceTypes.MEMBER, true).close();
        } finally {
            r.close();
            real.deactivate();
        }
    }
}
