package dev.kubespan.api;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.KubeSpanEndpoint;

public class LoopInputsTest {
    private final InMemoryResourceStore store = new InMemoryResourceStore();
    private final Semaphore runs = new Semaphore(0);
    private final ReconcileLoop loop = new ReconcileLoop("test", runs::release, Throwable::printStackTrace);

    @After
    public void stop() {
        loop.close();
        store.deactivate();
    }

    @Test
    public void relevantChangesTriggerAndBootstrapIsTracked() throws Exception {
        try (LoopInputs inputs = new LoopInputs(store, loop)) {
            inputs.watch(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, r -> r.id().equals("mine"));
            assertTrue(runs.tryAcquire(5, TimeUnit.SECONDS)); // the snapshot
            assertTrue(inputs.bootstrapped());
            inputs.watch(ResourceTypes.AFFILIATE, Namespaces.CLUSTER);
            assertTrue(runs.tryAcquire(5, TimeUnit.SECONDS));
            assertTrue(inputs.bootstrapped());

            store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "other", new KubeSpanEndpoint("n", "e"), "t");
            assertFalse(runs.tryAcquire(300, TimeUnit.MILLISECONDS));
            store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "mine", new KubeSpanEndpoint("n", "e"), "t");
            assertTrue(runs.tryAcquire(5, TimeUnit.SECONDS));
        }
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "mine", new KubeSpanEndpoint("n", "f"), "t");
        assertFalse("closed inputs stop triggering", runs.tryAcquire(300, TimeUnit.MILLISECONDS));
    }
}
