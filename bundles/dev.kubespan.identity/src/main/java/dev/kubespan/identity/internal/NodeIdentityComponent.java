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
import dev.kubespan.api.ResourceStore;

/**
 * The node ID. A component of its own so that it needs only the store: it must be published even
 * where no host network service (and so no KubeSpan) is available. Its output is never deleted
 * on deactivation; the next activation rewrites the same value.
 */
@Component(service = {}, configurationPid = IdentityConfig.PID)
public final class NodeIdentityComponent {
    private final RunningController controller;

    @Activate
    public NodeIdentityComponent(@Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger log, BundleContext context, IdentityConfig config) {
        controller = new ControllerRuntime(store, Log.of(log)).start(
                new NodeIdentityController(StateDirectory.resolve(config.state_dir(), context::getProperty)));
    }

    @Deactivate
    public void deactivate() {
        controller.close();
    }
}
