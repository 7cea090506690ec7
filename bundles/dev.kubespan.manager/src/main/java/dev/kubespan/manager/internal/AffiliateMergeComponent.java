package dev.kubespan.manager.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;

/** Merges raw affiliates into per-node Affiliates, and keeps Members in step with all affiliates. */
@Component(service = {})
public final class AffiliateMergeComponent {
    private final RunningController merge;
    private final RunningController members;

    @Activate
    public AffiliateMergeComponent(@Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger) {
        ControllerRuntime runtime = new ControllerRuntime(store, Log.of(logger));
        merge = runtime.start(new AffiliateMergeController());
        members = runtime.start(new MemberController());
    }

    @Deactivate
    public void deactivate() {
        merge.close();
        members.close();
    }
}
