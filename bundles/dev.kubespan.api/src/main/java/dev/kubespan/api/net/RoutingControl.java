package dev.kubespan.api.net;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Addresses, routes and policy rules over rtnetlink. Adds are idempotent (an existing entry is
 * success) and removes of a missing entry are success, so callers can reconcile by dump and diff.
 * Rules are tagged with KubeSpan's protocol value; {@link #rules} lists only those.
 */
@ProviderType
public interface RoutingControl {

    void addAddress(String link, IpPrefix address);

    void removeAddress(String link, IpPrefix address);

    /** Routes in {@code table} (both families). */
    List<Route> routes(int table);

    /** Adds or replaces the route to {@code route.destination()} in its table. */
    void addRoute(Route route);

    void removeRoute(Route route);

    /** KubeSpan's own rules, both families. */
    List<Rule> rules();

    void addRule(Rule rule);

    void removeRule(Rule rule);
}
