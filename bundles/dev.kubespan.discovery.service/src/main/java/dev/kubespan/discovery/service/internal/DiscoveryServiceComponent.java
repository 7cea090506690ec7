package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;

/**
 * The discovery-service registry as a DS component. Configuration comes from the
 * {@code DiscoveryConfig} resource, not ConfigAdmin, so deactivation always means "this
 * bundle, or what it depends on, is going away" (update, refresh, shutdown) and never "leave
 * the cluster": @Deactivate stops clients and channels synchronously and sends nothing.
 */
@Component(service = {}, immediate = true)
public final class DiscoveryServiceComponent {
    private final DiscoveryRegistry registry;

    @Activate
    public DiscoveryServiceComponent(@Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger) {
        Log log = Log.of(logger);
        registry = new DiscoveryRegistry(store, log,
                DiscoveryClient.ChannelFactory.standard(DiscoveryRegistry.CLIENT_VERSION), Clock.systemUTC(),
                () -> ThreadLocalRandom.current().nextDouble(), new SecureRandom(), DiscoveryRegistry.TTL);
        // Only registers store watches; every connection is made on the registry's own threads.
        registry.start();
    }

    @Deactivate
    public void deactivate() {
        registry.close();
    }
}
