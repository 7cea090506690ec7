package dev.kubespan.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.Watch;

/**
 * {@code get -w}: prints the current resources, then every change, until the calling thread is
 * interrupted (Ctrl-C in Gogo interrupts the command's thread). Store events arrive on a store
 * thread and are handed over through a queue, so all printing happens on the command's own
 * thread, whose {@code System.out} is the session's.
 */
final class WatchPrinter<S> {
    private final ResourceType<S> type;
    private final List<String> namespaces;
    private final String id;
    private final OutputFormat format;
    private final boolean showSecrets;
    private final PrintStream out;
    private TableRenderer table;
    private boolean printedDocument;

    /** {@code namespaces} empty = all; {@code id} null = all. */
    WatchPrinter(ResourceType<S> type, List<String> namespaces, String id, OutputFormat format, boolean showSecrets,
            PrintStream out) {
        this.type = type;
        this.namespaces = List.copyOf(namespaces);
        this.id = id;
        this.format = format;
        this.showSecrets = showSecrets;
        this.out = out;
    }

    /** Blocks until interrupted; the store watch is closed on the way out, however it ends. */
    void run(ResourceStore store) {
        BlockingQueue<ResourceEvent<S>> queue = new LinkedBlockingQueue<>();
        Watch watch = store.watch(type, namespaces.size() == 1 ? namespaces.get(0) : null, e -> {
            if (wanted(e)) {
                queue.add(e);
            }
        });
        try {
            List<Resource<S>> snapshot = new ArrayList<>();
            boolean live = false;
            while (true) {
                ResourceEvent<S> e = queue.take();
                if (live) {
                    print(e.kind(), List.of(e.resource()));
                } else if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
                    print(ResourceEvent.Kind.CREATED, snapshot);
                    live = true;
                } else {
                    snapshot.add(e.resource());
                }
            }
        } catch (InterruptedException stop) {
            // Ctrl-C: the normal way out of a watch
        } finally {
            watch.close();
            out.flush();
        }
    }

    private boolean wanted(ResourceEvent<S> e) {
        if (e.kind() == ResourceEvent.Kind.BOOTSTRAPPED) {
            return true;
        }
        Resource<S> r = e.resource();
        return (namespaces.isEmpty() || namespaces.contains(r.namespace())) && (id == null || id.equals(r.id()));
    }

    private void print(ResourceEvent.Kind kind, List<Resource<S>> resources) {
        switch (format) {
            case TABLE -> {
                List<List<String>> rows = new ArrayList<>();
                for (Resource<S> r : resources) {
                    rows.add(TableRenderer.row(type, r, ResourceDocuments.marker(kind)));
                }
                if (table == null) {
                    table = new TableRenderer(type, true);
                    out.println(table.render(rows));
                } else {
                    rows.forEach(row -> out.println(table.streamLine(row)));
                }
            }
            case YAML -> {
                for (Resource<S> r : resources) {
                    if (printedDocument) {
                        out.println("---");
                    }
                    out.print(YamlRenderer.document(ResourceDocuments.event(type, kind, r, showSecrets)));
                    printedDocument = true;
                }
            }
            case JSON -> {
                for (Resource<S> r : resources) {
                    out.println(JsonRenderer.pretty(ResourceDocuments.event(type, kind, r, showSecrets)));
                }
            }
        }
        out.flush();
    }
}
