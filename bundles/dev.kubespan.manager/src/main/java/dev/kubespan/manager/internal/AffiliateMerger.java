package dev.kubespan.manager.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kubespan.api.Log;
import dev.kubespan.api.Resource;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.Affiliates;

/**
 * Groups raw affiliates by node ID and merges each group in raw-id order (so {@code k8s/...}
 * comes before {@code service/...}), with the shared merge of docs/kubespan-node.md §7.3.
 */
final class AffiliateMerger {
    private AffiliateMerger() {
    }

    /** node ID → merged affiliate, in order of each node's first raw id. */
    static Map<String, Affiliate> merge(List<Resource<Affiliate>> raw, Log log) {
        List<Resource<Affiliate>> sorted = new ArrayList<>(raw);
        sorted.sort(Comparator.comparing(Resource::id));
        Map<String, List<Affiliate>> groups = new LinkedHashMap<>();
        for (Resource<Affiliate> r : sorted) {
            String nodeId = r.spec().nodeId();
            if (nodeId.isEmpty()) {
                log.warn("affiliate merge: raw affiliate " + r.id() + " has no nodeId; ignored");
                continue;
            }
            groups.computeIfAbsent(nodeId, k -> new ArrayList<>()).add(r.spec());
        }
        Map<String, Affiliate> out = new LinkedHashMap<>();
        groups.forEach((id, list) -> out.put(id, Affiliates.mergeAll(list)));
        return out;
    }
}
