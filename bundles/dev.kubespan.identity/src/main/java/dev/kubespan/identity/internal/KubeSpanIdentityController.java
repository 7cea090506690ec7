package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.service.log.Logger;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ReconcileLoop;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.Watch;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;

/**
 * Publishes {@code KubeSpanIdentity} (ns kubespan, id local) while {@code KubeSpanConfig} exists
 * and is enabled, and deletes it when KubeSpan is disabled; the key file stays.
 *
 * <p>As in Talos, the address is computed once per enable and not recomputed while the
 * resource exists, so a MAC change or a new NIC that sorts first does not move a running node.
 * Unlike Talos, a change of the cluster ID while enabled does recompute (Talos only picks it
 * up after a disable/enable or a reboot, leaving the node with an address outside the new
 * cluster's /64). A reactivated controller (bundle update) adopts an existing resource whose
 * keys and subnet still fit, so an update never moves the address either.
 *
 * <p>All state below is touched only on the reconcile thread.
 */
final class KubeSpanIdentityController implements AutoCloseable {
    static final String OWNER = "dev.kubespan.identity";

    private final ResourceStore store;
    private final HostNetwork network;
    private final Logger log;
    private final Path stateDir;
    private final String macInterface;
    private final ReconcileLoop loop;
    private Watch configWatch;
    private Watch linkWatch;

    /** The cluster ID the published resource was computed for; null when none is published by us. */
    private String appliedClusterId;
    /** The last problem logged, so a problem that persists is logged once, not on every wake. */
    private String lastProblem;

    KubeSpanIdentityController(ResourceStore store, HostNetwork network, Logger log, Path stateDir,
            String macInterface) {
        this.store = store;
        this.network = network;
        this.log = log;
        this.stateDir = stateDir;
        this.macInterface = macInterface == null ? "" : macInterface.trim();
        this.loop = new ReconcileLoop("kubespan-identity", this::reconcile,
                t -> log.error("KubeSpan identity reconcile failed", t));
    }

    void start() {
        configWatch = store.watch(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, e -> loop.trigger());
        // Links matter only until an address is computed (a link may appear after start-up).
        linkWatch = network.onChange(loop::trigger);
        loop.trigger();
    }

    @Override
    public void close() {
        if (linkWatch != null) {
            linkWatch.close();
        }
        if (configWatch != null) {
            configWatch.close();
        }
        loop.close();
    }

    void reconcile() {
        Optional<KubeSpanConfig> cfg = store
                .get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID).map(Resource::spec);
        Optional<Resource<KubeSpanIdentity>> existing = store.get(ResourceTypes.KUBESPAN_IDENTITY,
                Namespaces.KUBESPAN, KubeSpanIdentity.ID);
        if (cfg.isEmpty() || !cfg.get().enabled()) {
            appliedClusterId = null;
            lastProblem = null;
            if (existing.isPresent() && store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                    KubeSpanIdentity.ID)) {
                log.info("KubeSpan is disabled: removed the KubeSpan identity (the key file stays)");
            }
            return;
        }
        String clusterId = cfg.get().clusterId();
        if (clusterId.equals(appliedClusterId) && existing.isPresent()) {
            return;
        }
        if (clusterId.isEmpty()) {
            fail("KubeSpan is enabled but the cluster ID is empty; no KubeSpan identity", existing, false);
            return;
        }

        IdentityFile.KeyPair keys;
        try {
            SecureFiles.ensureDirectory(stateDir);
            keys = IdentityFile.loadOrCreate(stateDir);
        } catch (IdentityFileException e) {
            fail(e.getMessage() + "; not replacing it, no KubeSpan identity until it is fixed or removed", existing,
                    true);
            return;
        } catch (IOException e) {
            fail("cannot create the state directory " + stateDir + ": " + e.getMessage(), existing, true);
            return;
        }
        if (keys.created()) {
            log.info("Generated a new KubeSpan key pair in " + IdentityFile.path(stateDir) + ", public key "
                    + keys.publicKey().toBase64());
        }
        warnIfOpen(IdentityFile.path(stateDir));

        IpPrefix subnet = UlaAddress.kubeSpanSubnet(clusterId);
        if (appliedClusterId == null && existing.isPresent() && fits(existing.get().spec(), keys, subnet)) {
            appliedClusterId = clusterId;
            lastProblem = null;
            log.info("Adopted the existing KubeSpan identity " + existing.get().spec().address());
            return;
        }

        MacSelector.Choice choice;
        try {
            choice = MacSelector.choose(network.links(), macInterface);
        } catch (RuntimeException e) {
            fail("cannot choose a link for the KubeSpan address: " + e.getMessage()
                    + "; waiting for links to change", existing, false);
            return;
        }
        UlaAddress.NodeAddress addr = UlaAddress.kubeSpan(clusterId, choice.mac());
        KubeSpanIdentity spec = new KubeSpanIdentity(addr.address().toString(), addr.subnet().toString(),
                keys.privateKey().toBase64(), keys.publicKey().toBase64());
        Resource<KubeSpanIdentity> r = store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                KubeSpanIdentity.ID, spec, OWNER);
        boolean clusterChanged = appliedClusterId != null;
        appliedClusterId = clusterId;
        lastProblem = null;
        log.info((clusterChanged ? "Cluster ID changed: recomputed" : "Published") + " KubeSpan identity "
                + spec.address() + " in " + spec.subnet() + " (version " + r.version() + "), MAC from "
                + choice.describe() + ", public key " + spec.publicKey());
    }

    private static boolean fits(KubeSpanIdentity spec, IdentityFile.KeyPair keys, IpPrefix subnet) {
        if (!spec.publicKey().equals(keys.publicKey().toBase64())
                || !spec.privateKey().equals(keys.privateKey().toBase64())) {
            return false;
        }
        try {
            IpPrefix address = IpPrefix.parse(spec.address());
            return subnet.toString().equals(spec.subnet()) && subnet.contains(address.address());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Records a problem: logs it once, and removes a resource that no longer matches the inputs
     * (it would advertise a key or subnet this node cannot stand behind).
     */
    private void fail(String problem, Optional<Resource<KubeSpanIdentity>> existing, boolean error) {
        appliedClusterId = null;
        if (existing.isPresent()) {
            store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID);
        }
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            if (error) {
                log.error(problem);
            } else {
                log.warn(problem);
            }
        }
    }

    private void warnIfOpen(Path file) {
        try {
            if (SecureFiles.tooOpen(file)) {
                log.warn(file + " is readable by group or others; it holds the WireGuard private key (chmod 600 it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // permissions unknown: nothing useful to say
        }
    }
}
