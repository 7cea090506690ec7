package dev.kubespan.identity.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
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
 * <p>Host link changes trigger it from outside the store: they matter until an address is
 * computed (a link may appear after start-up). A key file that cannot be read is retried every
 * {@link #FILE_RETRY}.
 */
final class KubeSpanIdentityController implements Controller {
    static final String NAME = "dev.kubespan.identity/kubespan-identity";
    static final Duration FILE_RETRY = Duration.ofSeconds(30);

    private final HostNetwork network;
    private final Path stateDir;
    private final String macInterface;

    /** The cluster ID the published resource was computed for; null when none is published by us. */
    private String appliedClusterId;
    private Log log;
    private ControllerContext ctx;

    KubeSpanIdentityController(HostNetwork network, Path stateDir, String macInterface) {
        this.network = network;
        this.stateDir = stateDir;
        this.macInterface = macInterface == null ? "" : macInterface.trim();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.KUBESPAN_IDENTITY));
    }

    @Override
    public void reconcile(ControllerContext context) {
        this.ctx = context;
        this.log = context.log();
        Optional<KubeSpanConfig> cfg = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
        Optional<Resource<KubeSpanIdentity>> existing = ctx.get(ResourceTypes.KUBESPAN_IDENTITY,
                Namespaces.KUBESPAN, KubeSpanIdentity.ID);
        if (cfg.isEmpty() || !cfg.get().enabled()) {
            appliedClusterId = null;
            if (existing.isPresent() && ctx.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
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
            ctx.wakeIn(FILE_RETRY);
            return;
        } catch (IOException e) {
            fail("cannot create the state directory " + stateDir + ": " + e.getMessage(), existing, true);
            ctx.wakeIn(FILE_RETRY);
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
        KubeSpanIdentity spec = new KubeSpanIdentity(addr.address(), addr.subnet(), keys.privateKey(),
                keys.publicKey());
        Resource<KubeSpanIdentity> r = ctx.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                KubeSpanIdentity.ID, spec);
        boolean clusterChanged = appliedClusterId != null;
        appliedClusterId = clusterId;
        log.info((clusterChanged ? "Cluster ID changed: recomputed" : "Published") + " KubeSpan identity "
                + spec.address() + " in " + spec.subnet() + " (version " + r.version() + "), MAC from "
                + choice.describe() + ", public key " + spec.publicKey().toBase64());
    }

    private static boolean fits(KubeSpanIdentity spec, IdentityFile.KeyPair keys, IpPrefix subnet) {
        return spec.publicKey().equals(keys.publicKey()) && spec.privateKey().equals(keys.privateKey())
                && subnet.equals(spec.subnet()) && subnet.contains(spec.address().address());
    }

    /**
     * Records a problem (logged once while it persists) and removes a resource that no longer
     * matches the inputs (it would advertise a key or subnet this node cannot stand behind).
     */
    private void fail(String problem, Optional<Resource<KubeSpanIdentity>> existing, boolean error) {
        appliedClusterId = null;
        if (existing.isPresent()) {
            ctx.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID);
        }
        if (error) {
            log.error(problem, null);
        } else {
            log.warn(problem);
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
