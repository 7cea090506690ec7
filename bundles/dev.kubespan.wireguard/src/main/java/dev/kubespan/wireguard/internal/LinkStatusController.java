package dev.kubespan.wireguard.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.LinkStatus;

/**
 * Publishes one {@code LinkStatus} (ns kubespan, id = link name) per link the service knows,
 * after each change it signals and every {@code interval}; the first pass adopts what a previous
 * instance left running. Statuses of links that are gone are deleted.
 */
public final class LinkStatusController implements Controller {
    static final String NAME = "dev.kubespan.wireguard/link-status";

    private final WireGuardService service;
    private final Duration interval;

    public LinkStatusController(WireGuardService service, Duration interval) {
        this.service = service;
        this.interval = interval;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of();
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.LINK_STATUS));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        service.adoptOnce();
        Map<String, LinkStatus> statuses = service.statuses();
        statuses.forEach((link, status) -> ctx.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, link, status));
        ctx.deleteOwnedExcept(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, statuses.keySet());
        ctx.wakeIn(interval);
    }

    /**
     * After the controller stopped and the links were stopped with it: not a deletion, the links
     * are gone and their status says so until someone recreates them.
     */
    static void markStopped(ResourceStore store, Set<String> links, LinkStatus stopped) {
        for (String link : links) {
            store.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, link, stopped, NAME);
        }
    }
}
