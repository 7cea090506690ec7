package dev.kubespan.manager.internal;

import org.osgi.framework.BundleContext;
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

/** Publishes the local Affiliate; host address changes re-run it besides its store inputs. */
@Component(service = {})
public final class LocalAffiliateComponent {
    private final RunningController controller;

    @Activate
    public LocalAffiliateComponent(@Reference ResourceStore store, @Reference HostNetwork host,
            @Reference(service = LoggerFactory.class) Logger logger, BundleContext context) {
        controller = new ControllerRuntime(store, Log.of(logger)).start(new LocalAffiliateController(host,
                new HostnameSource(), ComponentSupport.operatingSystem(context.getBundle().getVersion())));
        controller.closeWith(host.onChange(controller::trigger));
    }

    @Deactivate
    public void deactivate() {
        controller.close();
    }
}
