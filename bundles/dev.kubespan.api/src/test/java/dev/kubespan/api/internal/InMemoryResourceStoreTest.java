package dev.kubespan.api.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceEvent.Kind;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.Watch;
import dev.kubespan.api.spec.KubeSpanEndpoint;

public class InMemoryResourceStoreTest {
    private final InMemoryResourceStore store = new InMemoryResourceStore();

    @After
    public void stop() {
        store.deactivate();
    }

    @Test
    public void versionGrowsOnlyWhenTheSpecChanges() {
        Resource<KubeSpanEndpoint> a = store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1",
                new KubeSpanEndpoint("n1", "192.0.2.1:51820"), "test");
        assertEquals(1, a.version());
        Resource<KubeSpanEndpoint> same = store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1",
                new KubeSpanEndpoint("n1", "192.0.2.1:51820"), "test");
        assertSame(a, same);
        Resource<KubeSpanEndpoint> b = store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1",
                new KubeSpanEndpoint("n1", "192.0.2.2:51820"), "test");
        assertEquals(2, b.version());
        assertEquals(a.metadata().created(), b.metadata().created());
        assertTrue(store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1", "test"));
        assertFalse(store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1", "test"));
        assertTrue(store.get(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "k1").isEmpty());
    }

    @Test
    public void listIsOrderedByIdAndFilteredByNamespace() {
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "b", new KubeSpanEndpoint("n", "e"), "t");
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "a", new KubeSpanEndpoint("n", "e"), "t");
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, "other", "c", new KubeSpanEndpoint("n", "e"), "t");
        assertEquals(List.of("a", "b"),
                store.list(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN).stream().map(Resource::id).toList());
        assertEquals(3, store.list(ResourceTypes.KUBESPAN_ENDPOINT, null).size());
        assertTrue(store.list(ResourceTypes.AFFILIATE, null).isEmpty());
    }

    @Test
    public void watchDeliversSnapshotThenBootstrappedThenChangesInOrder() throws Exception {
        store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "a", new KubeSpanEndpoint("n", "1"), "t");
        List<String> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Watch w = store.watch(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN,
                (ResourceEvent<KubeSpanEndpoint> e) -> {
                    synchronized (seen) {
                        seen.add(e.kind() + (e.resource() == null ? "" : ":" + e.resource().id() + ":"
                                + e.resource().spec().endpoint()));
                    }
                    if (e.kind() == Kind.DESTROYED) {
                        done.countDown();
                    }
                });
        try {
            for (int i = 2; i <= 50; i++) {
                store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "a",
                        new KubeSpanEndpoint("n", String.valueOf(i)), "t");
            }
            store.delete(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "a", "test");
            assertTrue(done.await(5, TimeUnit.SECONDS));
        } finally {
            w.close();
        }
        assertEquals("CREATED:a:1", seen.get(0));
        assertEquals("BOOTSTRAPPED", seen.get(1));
        for (int i = 2; i <= 50; i++) {
            assertEquals("UPDATED:a:" + i, seen.get(i));
        }
        assertEquals("DESTROYED:a:50", seen.get(51));
        assertEquals(52, seen.size());
    }

    @Test
    public void aFailingListenerKeepsReceiving() throws Exception {
        CountDownLatch two = new CountDownLatch(2);
        Watch w = store.watch(ResourceTypes.KUBESPAN_ENDPOINT, null, e -> {
            if (e.kind() != Kind.BOOTSTRAPPED) {
                two.countDown();
                throw new IllegalStateException("listener bug");
            }
        });
        try {
            store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "a", new KubeSpanEndpoint("n", "1"), "t");
            store.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, "b", new KubeSpanEndpoint("n", "1"), "t");
            assertTrue(two.await(5, TimeUnit.SECONDS));
        } finally {
            w.close();
        }
    }
}
