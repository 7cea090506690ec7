package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * Publishes {@code NodeIdentity} (ns cluster, id local) from {@code node-identity.yaml}, whether
 * or not KubeSpan is enabled. A file that cannot be read or created is retried with backoff (the
 * runtime's), and reported once.
 */
final class NodeIdentityController implements Controller {
    static final String NAME = "dev.kubespan.identity/node-identity";

    private final Path stateDir;

    NodeIdentityController(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of();
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.NODE_IDENTITY));
    }

    @Override
    public void reconcile(ControllerContext ctx) throws IOException {
        NodeIdFile.NodeId id;
        try {
            SecureFiles.ensureDirectory(stateDir);
            id = NodeIdFile.loadOrCreate(stateDir);
        } catch (IdentityFileException e) {
            throw new IOException(e.getMessage() + "; not replacing it, no node identity until it is fixed or removed", e);
        } catch (IOException e) {
            throw new IOException("cannot create the state directory " + stateDir + ": " + e.getMessage(), e);
        }
        if (id.created()) {
            ctx.log().info("Generated a new node ID in " + NodeIdFile.path(stateDir) + ": " + id.value());
        }
        ctx.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(id.value()));
    }
}
