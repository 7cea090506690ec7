package dev.kubespan.manager.internal;

import org.osgi.framework.BundleContext;
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
import dev.kubespan.api.net.HostNetwork;

/** Publishes the local Affiliate; re-runs on config, identity, discovered address and host address changes. */
@Component(service = {})
public final class LocalAffiliateComponent {
    private final ControllerRunner runner;

    @Activate
    public LocalAffiliateComponent(@Reference ResourceStore store, @Reference HostNetwork host,
            @Reference(service = LoggerFactory.class) Logger logger, BundleContext context) {
        CycleLog log = new CycleLog(Log.of(logger));
        LocalAffiliateController controller = new LocalAffiliateController(store, host, new HostnameSource(),
                ComponentSupport.operatingSystem(context.getBundle().getVersion()), log);
        runner = new ControllerRunner("local-affiliate", controller, log)
                .watch(store, ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER)
                .watch(store, ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG)
                .watch(store, ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG)
                .watch(store, ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN)
                .watch(store, ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER);
        runner.closeWith(host.onChange(runner::trigger));
        runner.start();
    }

    @Deactivate
    public void deactivate() {
        runner.close();
    }
}
