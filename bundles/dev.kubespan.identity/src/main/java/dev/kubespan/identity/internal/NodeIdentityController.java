package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.service.log.Logger;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ReconcileLoop;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * Publishes {@code NodeIdentity} (ns cluster, id local) from {@code node-identity.yaml}, whether
 * or not KubeSpan is enabled. The file work runs on its own thread, off the DS activation thread.
 */
final class NodeIdentityController implements AutoCloseable {
    private final ResourceStore store;
    private final Logger log;
    private final Path stateDir;
    private final ReconcileLoop loop;

    NodeIdentityController(ResourceStore store, Logger log, Path stateDir) {
        this.store = store;
        this.log = log;
        this.stateDir = stateDir;
        this.loop = new ReconcileLoop("kubespan-node-identity", this::publish,
                t -> log.error("Node identity failed", t));
    }

    void start() {
        loop.trigger();
    }

    @Override
    public void close() {
        loop.close();
    }

    void publish() {
        NodeIdFile.NodeId id;
        try {
            SecureFiles.ensureDirectory(stateDir);
            id = NodeIdFile.loadOrCreate(stateDir);
        } catch (IdentityFileException e) {
            log.error(e.getMessage() + "; not replacing it, no node identity until it is fixed or removed");
            return;
        } catch (IOException e) {
            log.error("cannot create the state directory " + stateDir + ": " + e.getMessage());
            return;
        }
        if (id.created()) {
            log.info("Generated a new node ID in " + NodeIdFile.path(stateDir) + ": " + id.value());
        }
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(id.value()),
                KubeSpanIdentityController.OWNER);
    }
}
