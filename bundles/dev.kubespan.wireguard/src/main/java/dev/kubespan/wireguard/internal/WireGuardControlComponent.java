package dev.kubespan.wireguard.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.WireGuardControl;
import dev.kubespan.net.netlink.GenlFamilyResolver;
import dev.kubespan.wireguard.internal.kernel.KernelBackend;
import dev.kubespan.wireguard.internal.userspace.UserspaceBackend;
import dev.kubespan.wireguard.internal.userspace.UserspaceSettings;

/**
 * The {@link WireGuardControl} service. Chooses the backend at activation, adopts links a previous
 * instance left running, and publishes {@code LinkStatus} (ns {@code kubespan}, id = link).
 *
 * <p>Deactivation leaves wireguard-go and the link running by default ({@code keep.link.on.stop}):
 * a bundle update, a configuration change or a container restart must not drop the tunnel, and
 * the next instance adopts it. Even with {@code keep.link.on.stop=false} the links stay when the
 * deactivation is only a configuration change or a lost reference.
 */
@Component(service = WireGuardControl.class, configurationPid = WireGuardControlComponent.PID, immediate = true)
@Designate(ocd = WireGuardControlComponent.Config.class)
public final class WireGuardControlComponent implements WireGuardControl {
    public static final String PID = "dev.kubespan.wireguard";
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);
    // ComponentConstants.DEACTIVATION_REASON_*, spelled out to keep org.osgi.service.component out of the imports
    private static final int REASON_REFERENCE = 2;
    private static final int REASON_CONFIGURATION_MODIFIED = 3;
    private static final int REASON_CONFIGURATION_DELETED = 4;

    @ObjectClassDefinition(name = "KubeSpan WireGuard control",
            description = "How KubeSpan drives its WireGuard link: backend choice and the supervised wireguard-go.")
    public @interface Config {
        @AttributeDefinition(name = "Backend", description = "auto: kernel WireGuard when the generic netlink family"
                + " 'wireguard' exists, else userspace wireguard-go; kernel / userspace force one.",
                options = { @Option(label = "auto", value = "auto"), @Option(label = "kernel", value = "kernel"),
                        @Option(label = "userspace", value = "userspace") })
        String backend() default BackendChoice.AUTO;

        @AttributeDefinition(name = "wireguard-go path", description = "The wireguard-go executable; empty searches PATH.",
                required = false)
        String wireguardgo_path() default "";

        @AttributeDefinition(name = "Keep link on stop", description = "Leave wireguard-go and the link running when"
                + " this component stops (bundle update, container restart); the next start adopts them. false stops"
                + " wireguard-go (SIGTERM, then SIGKILL) when the bundle stops.")
        boolean keep_link_on_stop() default true;

        @AttributeDefinition(name = "Runtime directory", description = "Where wireguard-go pid files and logs go;"
                + " must survive a bundle update (a tmpfs such as /run is right).")
        String runtime_dir() default "/run/kubespan";
    }

    private final Log log;
    private final ResourceStore store;
    private final boolean keepLinkOnStop;
    /** Runs the supervised wireguard-go's restarts. */
    private final ScheduledThreadPoolExecutor supervisor;
    private final LinkAccess links;
    private final WireGuardService service;
    private final RunningController status;

    @Activate
    public WireGuardControlComponent(@Reference ResourceStore store,
            @Reference(service = LoggerFactory.class) Logger logger, Config config) {
        this.log = Log.of(logger);
        this.store = store;
        this.keepLinkOnStop = config.keep_link_on_stop();
        this.supervisor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kubespan-wireguard-supervisor");
            t.setDaemon(true);
            return t;
        });
        supervisor.setRemoveOnCancelPolicy(true);
        supervisor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);

        BackendChoice choice = BackendChoice.choose(config.backend(),
                () -> GenlFamilyResolver.lookup("wireguard").isPresent(), true);
        LinkAccess opened = null;
        WireGuardBackend backend;
        String reason = choice.reason();
        if (!choice.available()) {
            backend = new UnavailableBackend(choice.backend(), reason);
            log.error("WireGuard control: " + reason, null);
        } else {
            try {
                Path runtimeDir = Path.of(config.runtime_dir().isBlank() ? "/run/kubespan" : config.runtime_dir().trim());
                if (choice.backend() == Backend.KERNEL) {
                    backend = KernelBackend.open(runtimeDir, log);
                } else {
                    opened = LinkOpsAccess.ownNamespace();
                    UserspaceSettings settings = UserspaceSettings.defaults(config.wireguardgo_path(), runtimeDir);
                    backend = new UserspaceBackend(settings, opened, supervisor, log);
                }
                log.info("WireGuard control: " + reason);
            } catch (RuntimeException | Error e) {
                reason = "cannot open netlink: " + e;
                backend = new UnavailableBackend(choice.backend(), reason);
                log.error("WireGuard control: " + reason, e);
            }
        }
        this.links = opened;
        this.service = new WireGuardService(backend, reason, log);
        this.status = new ControllerRuntime(store, log).start(new LinkStatusController(service, STATUS_INTERVAL));
        service.onChange(status::trigger);
    }

    @Deactivate
    void deactivate(int reason) {
        boolean stopLinks = !keepLinkOnStop && reason != REASON_CONFIGURATION_MODIFIED
                && reason != REASON_CONFIGURATION_DELETED && reason != REASON_REFERENCE;
        try {
            status.close();
            LinkStatusController.markStopped(store, service.close(!stopLinks), service.stoppedStatus());
        } finally {
            supervisor.shutdownNow();
            try {
                supervisor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (links != null) {
                links.close();
            }
        }
    }

    @Override
    public Backend backend() {
        return service.backend();
    }

    @Override
    public void ensureLink(String link, int mtu) {
        service.ensureLink(link, mtu);
    }

    @Override
    public boolean linkExists(String link) {
        return service.linkExists(link);
    }

    @Override
    public void apply(String link, DeviceConfig desired) {
        service.apply(link, desired);
    }

    @Override
    public Optional<DeviceState> read(String link) {
        return service.read(link);
    }

    @Override
    public void deleteLink(String link) {
        service.deleteLink(link);
    }
}
