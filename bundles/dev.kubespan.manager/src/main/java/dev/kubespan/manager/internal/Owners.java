package dev.kubespan.manager.internal;

import java.util.Optional;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.NodeIdentity;

/** The names of this bundle's controllers (the owners of what they write), and small shared reads. */
final class Owners {
    static final String LOCAL_AFFILIATE = "dev.kubespan.manager/local-affiliate";
    static final String AFFILIATE_MERGE = "dev.kubespan.manager/affiliate-merge";
    static final String MEMBER = "dev.kubespan.manager/member";
    static final String PEER_SPEC = "dev.kubespan.manager/peer-spec";
    static final String DEVICE = "dev.kubespan.manager/device";

    private Owners() {
    }

    static Optional<KubeSpanConfig> kubeSpanConfig(ControllerContext ctx) {
        return ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
    }

    static Optional<String> nodeId(ControllerContext ctx) {
        return ctx.spec(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID).map(NodeIdentity::nodeId)
                .filter(s -> !s.isEmpty());
    }

    /** Runs again after the configured reconcile interval (Talos' 30 s without a config): a retry of last resort. */
    static void tick(ControllerContext ctx) {
        ctx.wakeIn(kubeSpanConfig(ctx).map(KubeSpanConfig::peerReconcileInterval)
                .orElse(KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL));
    }
}
