package dev.kubespan.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.NodeIdentity;

public class ControllerRunnerTest {

    private static final class Scripted implements Controller {
        final Semaphore runs = new Semaphore(0);
        final AtomicReference<RuntimeException> fail = new AtomicReference<>();
        volatile Duration interval = Duration.ofSeconds(30);

        @Override
        public void reconcile() {
            runs.release();
            RuntimeException e = fail.get();
            if (e != null) {
                throw e;
            }
        }

        @Override
        public Duration tickInterval() {
            return interval;
        }
    }

    @Test
    public void storeEventsWakeTheController() throws Exception {
        TestStore store = new TestStore();
        Scripted c = new Scripted();
        try (ControllerRunner r = new ControllerRunner("t", c, new CycleLog(new RecordingLog()))) {
            r.watch(store, ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER);
            r.start();
            assertTrue(c.runs.tryAcquire(5, TimeUnit.SECONDS));
            c.runs.drainPermits();
            store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local", new NodeIdentity("x"), "t");
            assertTrue("woken by the write", c.runs.tryAcquire(5, TimeUnit.SECONDS));
        }
        assertEquals("watches closed with the runner", 0, store.watchCount());
    }

    @Test
    public void periodicTickRunsAgain() throws Exception {
        Scripted c = new Scripted();
        c.interval = Duration.ofMillis(20);
        try (ControllerRunner r = new ControllerRunner("t", c, new CycleLog(new RecordingLog()))) {
            r.start();
            assertTrue(c.runs.tryAcquire(3, 10, TimeUnit.SECONDS));
            assertEquals(Duration.ofMillis(20), r.scheduledTick());
        }
    }

    @Test
    public void sameErrorIsLoggedOnceAndRecoveryIsNoted() {
        RecordingLog log = new RecordingLog();
        Scripted c = new Scripted();
        try (ControllerRunner r = new ControllerRunner("device", c, new CycleLog(log))) {
            c.fail.set(new IllegalStateException("no such device kubespan"));
            r.runOnce();
            r.runOnce();
            r.runOnce();
            assertEquals(1, log.error.size());
            assertTrue(log.error.get(0).contains("no such device kubespan"));

            c.fail.set(new IllegalStateException("another problem"));
            r.runOnce();
            assertEquals(2, log.error.size());

            c.fail.set(null);
            r.runOnce();
            assertTrue(log.info.stream().anyMatch(m -> m.contains("recovered")));

            c.fail.set(new IllegalStateException("another problem"));
            r.runOnce();
            assertEquals("a recurrence after recovery is news again", 3, log.error.size());
        }
    }

    @Test
    public void repeatedWarningsAreLoggedOnceWhileTheyPersist() {
        RecordingLog out = new RecordingLog();
        CycleLog log = new CycleLog(out);
        for (int cycle = 0; cycle < 3; cycle++) {
            log.begin();
            log.warn("bad rule");
            log.warn("bad rule");
            log.end();
        }
        assertEquals(List.of("bad rule"), out.warn);
        log.begin();
        log.end(); // gone for a cycle
        log.begin();
        log.warn("bad rule");
        log.end();
        assertEquals(2, out.warn.size());
    }
}
