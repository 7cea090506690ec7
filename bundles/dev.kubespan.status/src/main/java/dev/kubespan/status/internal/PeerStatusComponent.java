package dev.kubespan.status.internal;

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
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.wireguard.WireGuardControl;

/** Runs {@link PeerStatusController}; its resources stay in the store across a bundle update. */
@Component(service = {}, immediate = true)
public final class PeerStatusComponent {
    private final UdpLivenessProbe probe = new UdpLivenessProbe();
    private final RunningController controller;

    @Activate
    public PeerStatusComponent(@Reference ResourceStore store, @Reference WireGuardControl wireGuard,
            @Reference HostNetwork host, @Reference(service = LoggerFactory.class) Logger logger) {
        controller = new ControllerRuntime(store, Log.of(logger)).start(new PeerStatusController(wireGuard, host, probe));
    }

    @Deactivate
    public void deactivate() {
        controller.close();
        probe.close();
    }
}
