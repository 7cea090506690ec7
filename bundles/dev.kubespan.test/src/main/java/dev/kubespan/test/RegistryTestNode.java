package dev.kubespan.test;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.internal.InMemoryResourceStore;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;

/**
 * One simulated KubeSpan node for the tests of a registry (a discovery service client, the
 * Kubernetes registry): its own real store holding what a registry reads — the node ID, the
 * discovery config, the local affiliate written as the agent's local-affiliate controller writes it
 * — and what a registry writes, read back (the raw affiliates, its status). Writers of shared
 * types other than the registry under test write as the declared writers they are ({@link #putAs}).
 */
public final class RegistryTestNode implements AutoCloseable {
    /** The writer of the local affiliate in the agent (the manager's controller). */
    public static final String LOCAL_AFFILIATE_OWNER = "dev.kubespan.manager/local-affiliate";
    /** The owner of the inputs the test writes itself. */
    public static final String OWNER = "test";

    public final String nodeId;
    public final InMemoryResourceStore store = new InMemoryResourceStore();
    private final DeclaredWriters writers = new DeclaredWriters(store);

    public RegistryTestNode(String nodeId) {
        this.nodeId = nodeId;
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(nodeId), OWNER);
    }

    /** Writes this node's own affiliate, as the agent's local-affiliate controller would. */
    public void local(Affiliate a) {
        putAs(LOCAL_AFFILIATE_OWNER, ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId, a);
    }

    public void discovery(DiscoveryConfig config) {
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID, config, OWNER);
    }

    /** Writes as {@code owner}, declared a shared writer of the type first (as that controller would be). */
    public <S> void putAs(String owner, ResourceType<S> type, String namespace, String id, S spec) {
        writers.put(owner, type, namespace, id, spec);
    }

    /** The raw affiliates in the store (every registry's), by resource id. */
    public Map<String, Affiliate> raw() {
        Map<String, Affiliate> out = new TreeMap<>();
        for (Resource<Affiliate> r : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW)) {
            out.put(r.id(), r.spec());
        }
        return out;
    }

    /** A registry's status resource ({@code service/<name>}, {@code kubernetes}). */
    public Optional<RegistryStatus> status(String id) {
        return store.get(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, id).map(Resource::spec);
    }

    @Override
    public void close() {
        writers.close();
        store.deactivate();
    }
}
