package dev.kubespan.manager.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;

/** Merges raw affiliates into per-node Affiliates, and keeps Members in step with all affiliates. */
@Component(service = {})
public final class AffiliateMergeComponent {
    private final ControllerRunner merge;
    private final ControllerRunner members;

    @Activate
    public AffiliateMergeComponent(@Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger) {
        CycleLog mergeLog = new CycleLog(Log.of(logger));
        merge = new ControllerRunner("affiliate-merge", new AffiliateMergeController(store, mergeLog), mergeLog)
                .watch(store, ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW)
                .watch(store, ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER)
                .watch(store, ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG);
        CycleLog memberLog = new CycleLog(Log.of(logger));
        members = new ControllerRunner("members", new MemberController(store, memberLog), memberLog)
                .watch(store, ResourceTypes.AFFILIATE, Namespaces.CLUSTER)
                .watch(store, ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG);
        merge.start();
        members.start();
    }

    @Deactivate
    public void deactivate() {
        merge.close();
        members.close();
    }
}
