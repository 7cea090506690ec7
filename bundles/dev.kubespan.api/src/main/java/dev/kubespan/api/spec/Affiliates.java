package dev.kubespan.api.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The affiliate merge of docs/kubespan-node.md §7.3, shared by every place that combines affiliates. */
public final class Affiliates {
    private Affiliates() {
    }

    /**
     * Merges {@code other} into {@code base}: lists are unions (base order first, new items
     * appended), scalar fields are overwritten when {@code other} has a value, and
     * {@code operatingSystem} keeps the base value as Talos does.
     */
    public static Affiliate merge(Affiliate base, Affiliate other) {
        AffiliateKubeSpan ks = base.kubespan();
        if (other.kubespan() != null) {
            AffiliateKubeSpan o = other.kubespan();
            ks = ks == null ? o
                    : new AffiliateKubeSpan(o.publicKey(), o.address() == null ? ks.address() : o.address(),
                            union(ks.additionalAddresses(), o.additionalAddresses()),
                            union(ks.endpoints(), o.endpoints()),
                            union(ks.excludeAdvertisedNetworks(), o.excludeAdvertisedNetworks()));
        }
        return new Affiliate(base.nodeId(), union(base.addresses(), other.addresses()),
                other.hostname().isEmpty() ? base.hostname() : other.hostname(),
                other.nodename().isEmpty() ? base.nodename() : other.nodename(),
                base.operatingSystem(),
                "unknown".equals(other.machineType()) ? base.machineType() : other.machineType(),
                ks,
                other.controlPlane() != null ? other.controlPlane() : base.controlPlane());
    }

    /** Merges a list in order: the first is the base. */
    public static Affiliate mergeAll(List<Affiliate> affiliates) {
        Affiliate out = affiliates.get(0);
        for (int i = 1; i < affiliates.size(); i++) {
            out = merge(out, affiliates.get(i));
        }
        return out;
    }

    private static <T> List<T> union(List<T> a, List<T> b) {
        LinkedHashSet<T> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }
}
