package dev.kubespan.discovery.kubernetes.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;

/**
 * The Kubernetes registry as a DS component. Whether it runs is decided by the
 * {@code DiscoveryConfig} resource; this PID only says how to reach the API server. A change of
 * this configuration re-creates the component: the old one stops without touching its outputs,
 * the new one adopts them.
 */
@Component(name = KubernetesRegistryComponent.PID, configurationPid = KubernetesRegistryComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {}, immediate = true)
@Designate(ocd = KubernetesRegistryComponent.Config.class)
public final class KubernetesRegistryComponent {
    public static final String PID = "dev.kubespan.discovery.kubernetes";
    /** Framework property with the installation directory, set by the launcher. */
    static final String HOME_PROPERTY = "kubespan.home";

    @ObjectClassDefinition(id = PID, name = "KubeSpan Kubernetes registry",
            description = "How to reach the Kubernetes API server whose Node annotations serve as a KubeSpan"
                    + " registry. Whether the registry runs is set by the discovery configuration"
                    + " (cluster.discovery.registries.kubernetes).")
    public @interface Config {
        @AttributeDefinition(name = "Kubeconfig", description = "Path of a kubeconfig file (relative to"
                + " ${kubespan.home}), or 'in-cluster' for the pod's service account. Empty: $KUBECONFIG, else"
                + " ${kubespan.home}/etc/kubeconfig, else the service account when running in a pod.",
                required = false)
        String kubeconfig() default "";

        @AttributeDefinition(name = "Resync interval (seconds)", description = "How often the published"
                + " annotations and the discovered affiliates are checked against the watched Nodes.",
                min = "5", max = "3600")
        int resync_seconds() default 30;
    }

    private final KubernetesRegistry registry;

    @Activate
    public KubernetesRegistryComponent(BundleContext context, @Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger, Config config) {
        String homeProperty = context.getProperty(HOME_PROPERTY);
        Path home = Path.of(homeProperty == null || homeProperty.isBlank() ? System.getProperty("user.dir")
                : homeProperty);
        int resync = Math.max(5, Math.min(3600, config.resync_seconds()));
        AccessLocator locator = new AccessLocator(config.kubeconfig(), home, System.getenv(),
                InCluster.SERVICE_ACCOUNT_DIR);
        registry = new KubernetesRegistry(store, Log.of(logger), locator, Duration.ofSeconds(resync),
                Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble());
        // Only registers store watches and a timer; files and the network are touched on its threads.
        registry.start();
    }

    @Deactivate
    public void deactivate() {
        registry.close();
    }
}
