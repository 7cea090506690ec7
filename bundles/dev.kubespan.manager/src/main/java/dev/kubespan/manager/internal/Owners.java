package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.Optional;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.KubeSpanConfig;

/** Owner names this bundle writes into resource metadata, and small shared reads. */
final class Owners {
    static final String LOCAL_AFFILIATE = "dev.kubespan.manager/local-affiliate";
    static final String AFFILIATE_MERGE = "dev.kubespan.manager/affiliate-merge";
    static final String MEMBER = "dev.kubespan.manager/member";
    static final String PEER_SPEC = "dev.kubespan.manager/peer-spec";

    private Owners() {
    }

    static Optional<KubeSpanConfig> kubeSpanConfig(ResourceStore store) {
        return store.get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID).map(Resource::spec);
    }

    /** The configured reconcile interval, or Talos' 30 s when there is no config. */
    static Duration tickInterval(ResourceStore store) {
        return kubeSpanConfig(store).map(KubeSpanConfig::peerReconcileInterval)
                .orElse(KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL);
    }
}
