package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.Member;

/** Writes one Member (ns cluster, id = nodename) per affiliate in ns cluster that has a nodename. */
final class MemberController implements Controller {
    private final ResourceStore store;
    private final Log log;

    MemberController(ResourceStore store, Log log) {
        this.store = store;
        this.log = log;
    }

    static Member toMember(Affiliate a) {
        return new Member(a.nodeId(), a.addresses(), a.hostname(), a.machineType(), a.operatingSystem(),
                a.controlPlane());
    }

    @Override
    public void reconcile() {
        Set<String> written = new HashSet<>();
        for (Resource<Affiliate> r : store.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            Affiliate a = r.spec();
            if (a.nodename().isEmpty()) {
                continue;
            }
            if (!written.add(a.nodename())) {
                log.warn("members: nodename '" + a.nodename() + "' is claimed by more than one node; node "
                        + a.nodeId() + " is not listed as a member");
                continue;
            }
            store.put(ResourceTypes.MEMBER, Namespaces.CLUSTER, a.nodename(), toMember(a), Owners.MEMBER);
        }
        for (Resource<Member> m : store.list(ResourceTypes.MEMBER, Namespaces.CLUSTER)) {
            if (!written.contains(m.id())) {
                store.delete(ResourceTypes.MEMBER, Namespaces.CLUSTER, m.id());
            }
        }
    }

    @Override
    public Duration tickInterval() {
        return Owners.tickInterval(store);
    }
}
