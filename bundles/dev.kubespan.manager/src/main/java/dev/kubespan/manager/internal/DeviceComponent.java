package dev.kubespan.manager.internal;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.RoutingControl;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * Drives the WireGuard link, its address, routes and rules from the peer specs. Deactivation
 * (a bundle update) leaves the tunnel exactly as it is.
 */
@Component(service = {}, configurationPid = DeviceComponent.PID)
@Designate(ocd = DeviceComponent.Config.class)
public final class DeviceComponent {
    static final String PID = "dev.kubespan.manager.device";

    @ObjectClassDefinition(name = "KubeSpan device manager", description = "Reconciles the kubespan link, "
            + "its peers, routes and policy rules")
    public @interface Config {
        @AttributeDefinition(name = "Start-up grace (s)", description = "After start, how long a missing "
                + "KubeSpan config or a device peer without a spec is left alone, so that a restart adopts a "
                + "running tunnel instead of cutting it", min = "0")
        int startupGraceSeconds() default 120;
    }

    private final RunningController controller;

    @Activate
    public DeviceComponent(@Reference ResourceStore store, @Reference WireGuardControl wireGuard,
            @Reference RoutingControl routing, @Reference HostNetwork host,
            @Reference(service = LoggerFactory.class) Logger logger, Config config) {
        ControllerRuntime runtime = new ControllerRuntime(store, Log.of(logger));
        controller = runtime.start(new DeviceController(wireGuard, routing, host, runtime.scheduler().nanoTime(),
                Duration.ofSeconds(Math.max(0, config.startupGraceSeconds()))));
        controller.closeWith(host.onChange(controller::trigger));
    }

    @Deactivate
    public void deactivate() {
        controller.close();
    }
}
