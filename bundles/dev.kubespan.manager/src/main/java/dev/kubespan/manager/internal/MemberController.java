package dev.kubespan.manager.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.Member;

/** Writes one Member (ns cluster, id = nodename) per affiliate in ns cluster that has a nodename. */
final class MemberController implements Controller {

    static Member toMember(Affiliate a) {
        return new Member(a.nodeId(), a.addresses(), a.hostname(), a.machineType(), a.operatingSystem(),
                a.controlPlane());
    }

    @Override
    public String name() {
        return Owners.MEMBER;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.AFFILIATE, Namespaces.CLUSTER),
                Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.MEMBER));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Set<String> written = new HashSet<>();
        for (Resource<Affiliate> r : ctx.list(ResourceTypes.AFFILIATE, Namespaces.CLUSTER)) {
            Affiliate a = r.spec();
            if (a.nodename().isEmpty()) {
                continue;
            }
            if (!written.add(a.nodename())) {
                ctx.log().warn("members: nodename '" + a.nodename() + "' is claimed by more than one node; node "
                        + a.nodeId() + " is not listed as a member");
                continue;
            }
            ctx.put(ResourceTypes.MEMBER, Namespaces.CLUSTER, a.nodename(), toMember(a));
        }
        ctx.deleteOwnedExcept(ResourceTypes.MEMBER, Namespaces.CLUSTER, written);
        Owners.tick(ctx);
    }
}
