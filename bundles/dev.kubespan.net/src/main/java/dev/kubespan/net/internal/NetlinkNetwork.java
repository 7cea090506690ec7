package dev.kubespan.net.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.Watch;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.RoutingControl;
import dev.kubespan.api.net.Rule;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.net.netlink.Netlink;
import dev.kubespan.net.netlink.NetlinkSocket;

/**
 * The host's links, addresses, routes and KubeSpan's policy rules over rtnetlink, in the
 * network namespace of the JVM. One request socket (requests are serialized on it) and one
 * multicast subscription with its reader thread; both are closed in {@link #deactivate()}, so a
 * bundle update leaves no socket or thread behind. Kernel state is never touched on
 * deactivation: it outlives the bundle, and the next activation reconciles against it.
 */
@Component(service = {HostNetwork.class, RoutingControl.class})
public final class NetlinkNetwork implements HostNetwork, RoutingControl {
    /** The wait between the first change notification and the listener call (a burst joins it). */
    static final Duration CHANGE_COALESCE = Duration.ofMillis(200);

    private final Log log;
    private final NetlinkSocket socket;
    private final LinkOps links;
    private final AddressOps addresses;
    private final RouteOps routes;
    private final RuleOps rules;
    private final NetworkChangeMonitor monitor;

    @Activate
    public NetlinkNetwork(@Reference(service = LoggerFactory.class) Logger logger) {
        this.log = Log.of(logger);
        this.socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        try {
            this.links = LinkOps.over(socket);
            this.addresses = new AddressOps(socket, links);
            this.routes = new RouteOps(socket, links);
            this.rules = new RuleOps(socket);
            this.monitor = NetworkChangeMonitor.open(CHANGE_COALESCE, (what, e) -> log.error(what, e));
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Deactivate
    public void deactivate() {
        monitor.close();
        socket.close();
    }

    @Override
    public List<LinkInfo> links() {
        return links.list();
    }

    @Override
    public Optional<LinkInfo> link(String name) {
        return links.find(name);
    }

    @Override
    public List<AddressInfo> addresses() {
        return addresses.list();
    }

    @Override
    public Watch onChange(Runnable listener) {
        return monitor.addListener(listener);
    }

    @Override
    public void addAddress(String link, IpPrefix address) {
        log.debug("add address " + address + " to " + link);
        addresses.add(link, address);
    }

    @Override
    public void removeAddress(String link, IpPrefix address) {
        log.debug("remove address " + address + " from " + link);
        addresses.remove(link, address);
    }

    @Override
    public List<Route> routes(int table) {
        return routes.list(table);
    }

    @Override
    public void addRoute(Route route) {
        log.debug("add route " + route);
        routes.add(route);
    }

    @Override
    public void removeRoute(Route route) {
        log.debug("remove route " + route);
        routes.remove(route);
    }

    @Override
    public List<Rule> rules() {
        return rules.list();
    }

    @Override
    public void addRule(Rule rule) {
        log.debug("add rule " + RuleMessages.describe(rule));
        rules.add(rule);
    }

    @Override
    public void removeRule(Rule rule) {
        log.debug("remove rule " + RuleMessages.describe(rule));
        rules.remove(rule);
    }
}
