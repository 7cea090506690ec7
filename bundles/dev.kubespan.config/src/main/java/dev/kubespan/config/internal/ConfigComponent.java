package dev.kubespan.config.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.ConfigStatus;
import dev.kubespan.config.LoadResult;

/**
 * Publishes KubeSpanConfig and DiscoveryConfig from the machine config file
 * ({@code ${kubespan.home}/etc/kubespan.yaml} by default) or, for gateways that configure
 * everything through ConfigAdmin, from the properties of PID {@value #PID}.
 */
@Component(name = ConfigComponent.PID, configurationPid = ConfigComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = ConfigStatus.class, immediate = true)
@Designate(ocd = ConfigComponent.Config.class)
public final class ConfigComponent implements ConfigStatus {
    public static final String PID = "dev.kubespan.config";
    /** Framework property with the installation directory, set by the launcher. */
    public static final String HOME_PROPERTY = "kubespan.home";
    static final String DEFAULT_FILE = "etc/kubespan.yaml";
    static final String SOURCE_FILE = "file";
    static final String SOURCE_CONFIGADMIN = "configadmin";

    @ObjectClassDefinition(id = PID, name = "KubeSpan configuration",
            description = "Where the KubeSpan settings come from. With source=file (default) the Talos-style"
                    + " YAML file is read and watched and the other keys here are ignored; with"
                    + " source=configadmin the keys below are the configuration.")
    public @interface Config {
        @AttributeDefinition(name = "Source", options = { @Option(label = "YAML file", value = SOURCE_FILE),
                @Option(label = "ConfigAdmin (the keys below)", value = SOURCE_CONFIGADMIN) })
        String source() default SOURCE_FILE;

        @AttributeDefinition(name = "Config file", description = "Path of the YAML machine config; relative paths"
                + " are resolved against ${kubespan.home}. Empty means ${kubespan.home}/etc/kubespan.yaml.",
                required = false)
        String file() default "";

        @AttributeDefinition(name = "KubeSpan enabled")
        boolean kubespan_enabled() default false;

        @AttributeDefinition(name = "Allow down peer bypass", description = "false: traffic to every peer's"
                + " addresses is forced into the tunnel (forceRouting); true: only to peers that are up")
        boolean kubespan_allowDownPeerBypass() default false;

        @AttributeDefinition(name = "Advertise Kubernetes networks")
        boolean kubespan_advertiseKubernetesNetworks() default false;

        @AttributeDefinition(name = "Harvest extra endpoints")
        boolean kubespan_harvestExtraEndpoints() default false;

        @AttributeDefinition(name = "MTU", min = "1280", max = "65535")
        int kubespan_mtu() default 1420;

        @AttributeDefinition(name = "Endpoint filters", description = "CIDRs or IPs, '!' negates; filter the"
                + " endpoints this node advertises", required = false)
        String[] kubespan_filters_endpoints() default {};

        @AttributeDefinition(name = "Excluded advertised networks", description = "CIDRs peers must not route"
                + " to this node", required = false)
        String[] kubespan_filters_excludeAdvertisedNetworks() default {};

        @AttributeDefinition(name = "Peer endpoint filters", description = "CIDRs or IPs, '!' negates; filter"
                + " which received peer endpoints this node tries", required = false)
        String[] kubespan_filters_peerEndpoints() default {};

        @AttributeDefinition(name = "Extra announced endpoints", description = "ip:port, e.g. NAT port forwards",
                required = false)
        String[] kubespan_extraAnnouncedEndpoints() default {};

        @AttributeDefinition(name = "WireGuard listen port", min = "1", max = "65535")
        int kubespan_listenPort() default 51820;

        @AttributeDefinition(name = "Peer reconcile interval", description = "Go duration, e.g. 30s")
        String kubespan_peerReconcileInterval() default "30s";

        @AttributeDefinition(name = "Peer down interval", description = "Go duration, e.g. 4m35s")
        String kubespan_peerDownInterval() default "4m35s";

        @AttributeDefinition(name = "Endpoint connection timeout", description = "Go duration, e.g. 15s")
        String kubespan_endpointConnectionTimeout() default "15s";

        @AttributeDefinition(name = "Cluster ID", description = "base64 of 32 random bytes, the same on every"
                + " node", required = false)
        String cluster_id() default "";

        @AttributeDefinition(name = "Cluster secret", description = "standard base64 of 32 random bytes, the"
                + " same on every node", type = AttributeType.PASSWORD, required = false)
        String cluster_secret() default "";

        @AttributeDefinition(name = "Discovery enabled")
        boolean discovery_enabled() default true;

        @AttributeDefinition(name = "Discovery service URLs", description = "http://, https:// or grpc:// URLs,"
                + " optionally prefixed with name=", required = false)
        String[] discovery_endpoints() default {};

        @AttributeDefinition(name = "Kubernetes registry enabled")
        boolean discovery_kubernetes_enabled() default false;

        @AttributeDefinition(name = "STUN servers", description = "host:port; empty: the relay servers",
                required = false)
        String[] nat_stunServers() default {};

        @AttributeDefinition(name = "TURN relay servers", description = "host:port (UDP), tried in order",
                required = false)
        String[] nat_relayServers() default {};

        @AttributeDefinition(name = "Relay username", description = "long-term credentials", required = false)
        String nat_relayUsername() default "";

        @AttributeDefinition(name = "Relay password", type = AttributeType.PASSWORD, required = false)
        String nat_relayPassword() default "";

        @AttributeDefinition(name = "Relay shared secret", description = "TURN REST scheme (coturn"
                + " static-auth-secret)", type = AttributeType.PASSWORD, required = false)
        String nat_relaySharedSecret() default "";
    }

    private final ConfigController controller;
    private final Log log;
    private final Path home;
    private volatile String configFile;
    private volatile String sourceKind = SOURCE_FILE;

    @Activate
    public ConfigComponent(BundleContext context, @Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger, Map<String, Object> properties) {
        this.log = Log.of(logger);
        String homeProperty = context.getProperty(HOME_PROPERTY);
        this.home = Path.of(homeProperty == null || homeProperty.isBlank() ? System.getProperty("user.dir")
                : homeProperty);
        this.controller = new ConfigController(store, log, Clock.systemUTC());
        configure(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        // The published resources stay: they outlive this bundle, and an update must not drop the tunnel.
        controller.close();
    }

    private void configure(Map<String, Object> properties) {
        Object fileProperty = properties.get("file");
        Path file = home.resolve(fileProperty == null || fileProperty.toString().isBlank() ? DEFAULT_FILE
                : fileProperty.toString().trim());
        configFile = file.toAbsolutePath().normalize().toString();
        Object sourceProperty = properties.get("source");
        String kind = sourceProperty == null ? SOURCE_FILE : sourceProperty.toString().trim().toLowerCase(Locale.ROOT);
        if (kind.isEmpty()) {
            kind = SOURCE_FILE;
        }
        switch (kind) {
            case SOURCE_CONFIGADMIN -> {
                sourceKind = SOURCE_CONFIGADMIN;
                controller.useConfigAdmin(properties);
            }
            case SOURCE_FILE -> {
                if (ConfigAdminReader.hasSettings(properties)) {
                    log.warn("ConfigAdmin PID " + PID + " sets KubeSpan keys but source=file: they are ignored, "
                            + configFile + " is read");
                }
                sourceKind = SOURCE_FILE;
                controller.useFile(file);
            }
            default -> {
                // Keep whatever source is in use; the operator sees the reason in the log and the shell.
                controller.reject("configadmin:" + PID, new ConfigProblem("configadmin:" + PID, "source", 0,
                        "'" + kind + "' is neither " + SOURCE_FILE + " nor " + SOURCE_CONFIGADMIN));
            }
        }
    }

    @Override
    public LoadResult lastResult() {
        return controller.lastResult();
    }

    @Override
    public Optional<LoadResult> lastApplied() {
        return controller.lastApplied();
    }

    @Override
    public LoadResult reload() {
        return controller.reload();
    }

    @Override
    public String configFile() {
        return configFile;
    }

    @Override
    public String sourceKind() {
        return sourceKind;
    }
}
