package dev.kubespan.nat.internal;

import java.time.Clock;

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
import dev.kubespan.api.controller.SteadyClock;
import dev.kubespan.api.wireguard.WireGuardPort;

/**
 * Runs the three NAT controllers — public mapping, path probes, relay — on the controller
 * runtime. They share one {@link PortProbes} (the WireGuard port); the relay has its own socket and
 * thread. Deactivation (a bundle update) releases the allocation and the port; peers that were
 * relayed fall back to probing until the next instance has a new allocation.
 */
@Component(service = {}, immediate = true)
public final class NatComponent {
    private final PortProbes probes;
    private final RelayController relay;
    private final RunningController mapping;
    private final RunningController paths;
    private final RunningController relays;

    @Activate
    public NatComponent(@Reference ResourceStore store, @Reference WireGuardPort port,
            @Reference(service = LoggerFactory.class) Logger logger) {
        Log log = Log.of(logger);
        probes = new PortProbes(port, log, Clock.systemUTC());
        ControllerRuntime runtime = new ControllerRuntime(store, log);
        NatMappingController mappingController = new NatMappingController(probes);
        mapping = runtime.start(mappingController);
        mappingController.triggerWith(mapping::trigger);
        PathProbeController pathProbe = new PathProbeController(probes);
        paths = runtime.start(pathProbe);
        probes.onHeard(h -> {
            pathProbe.heard(h);
            paths.trigger();
        });
        relay = new RelayController(Clock.systemUTC(), SteadyClock.system(), log);
        relays = runtime.start(relay);
        relay.triggerWith(relays::trigger);
    }

    @Deactivate
    public void deactivate() {
        relays.close();
        relay.stop();
        paths.close();
        mapping.close();
        probes.close();
    }
}
