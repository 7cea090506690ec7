package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.test.TestStore;

public class WatchPrinterTest {

    private static String run(TestStore store, WatchPrinter<?> printer, ByteArrayOutputStream bytes,
            Runnable changes, String lastNeedle) throws InterruptedException {
        Thread t = new Thread(() -> printer.run(store));
        t.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.openWatches() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("watch not opened");
            }
            Thread.sleep(5);
        }
        changes.run();
        while (!bytes.toString(StandardCharsets.UTF_8).contains(lastNeedle)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("missing '" + lastNeedle + "' in:\n" + bytes.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(5);
        }
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(0, store.openWatches());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void yamlWatchOfTwoNamespacesFilteredById() throws Exception {
        TestStore store = Fixtures.store();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WatchPrinter<Affiliate> p = new WatchPrinter<>(ResourceTypes.AFFILIATE,
                List.of(Namespaces.CLUSTER, Namespaces.CLUSTER_RAW), "service/nodeA", OutputFormat.YAML, false,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = run(store, p, bytes, () -> {
            // another id: filtered out
            store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/nodeB",
                    new Affiliate("nodeB", List.of(), "", "", "", "", null, null), "x");
            store.delete(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/nodeA", "discovery");
        }, "event: destroyed");
        String[] docs = text.split("---\n");
        assertEquals(2, docs.length);
        assertEquals(true, docs[0].startsWith("event: created\nmetadata:\n    namespace: cluster-raw\n"));
        assertEquals(true, docs[1].startsWith("event: destroyed\nmetadata:\n"));
        assertFalse(text.contains("nodeB"));
    }

    @Test
    public void jsonWatchRedactsSecrets() throws Exception {
        TestStore store = Fixtures.store();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WatchPrinter<?> p = new WatchPrinter<>(ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.JSON,
                false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = run(store, p, bytes,
                () -> store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, "local", "dev.kubespan.identity"),
                "\"event\": \"destroyed\"");
        assertEquals(true, text.startsWith("{\n    \"event\": \"created\",\n    \"metadata\": {"));
        assertFalse(text.contains(Fixtures.PRIVATE_KEY));
    }
}
