package dev.kubespan.identity.internal;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import org.osgi.service.metatype.annotations.Designate;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.net.HostNetwork;

/**
 * The KubeSpan identity: key pair and ULA address. A configuration change re-activates the
 * component; the resource stays in the store meanwhile and is adopted or recomputed, never
 * deleted here.
 */
@Component(service = {}, configurationPid = IdentityConfig.PID)
@Designate(ocd = IdentityConfig.class)
public final class KubeSpanIdentityComponent {
    private final RunningController controller;

    @Activate
    public KubeSpanIdentityComponent(@Reference ResourceStore store, @Reference HostNetwork network,
            @Reference(service = LoggerFactory.class) Logger log, BundleContext context, IdentityConfig config) {
        controller = new ControllerRuntime(store, Log.of(log)).start(new KubeSpanIdentityController(network,
                StateDirectory.resolve(config.state_dir(), context::getProperty), config.mac_interface()));
        controller.closeWith(network.onChange(controller::trigger));
    }

    @Deactivate
    public void deactivate() {
        controller.close();
    }
}
