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

/** Keeps the KubeSpanPeerSpecs in step with the merged affiliates. */
@Component(service = {})
public final class PeerSpecComponent {
    private final ControllerRunner runner;

    @Activate
    public PeerSpecComponent(@Reference ResourceStore store, @Reference(service = LoggerFactory.class) Logger logger) {
        CycleLog log = new CycleLog(Log.of(logger));
        runner = new ControllerRunner("peer-specs", new PeerSpecController(store, log), log)
                .watch(store, ResourceTypes.AFFILIATE, Namespaces.CLUSTER)
                .watch(store, ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER)
                .watch(store, ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG);
        runner.start();
    }

    @Deactivate
    public void deactivate() {
        runner.close();
    }
}
