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

/** Keeps the KubeSpanPeerSpecs in step with the merged affiliates. */
@Component(service = {})
public final class PeerSpecComponent {
    private final RunningController controller;

    @Activate
    public PeerSpecComponent(@Reference ResourceStore store, @Reference(service = LoggerFactory.class) Logger logger) {
        controller = new ControllerRuntime(store, Log.of(logger)).start(new PeerSpecController());
    }

    @Deactivate
    public void deactivate() {
        controller.close();
    }
}
