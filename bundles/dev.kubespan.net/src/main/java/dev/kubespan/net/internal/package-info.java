/**
 * rtnetlink for the host: addresses, routes and policy rules, and the
 * {@link dev.kubespan.net.internal.NetlinkNetwork} component that provides {@code HostNetwork}
 * and {@code RoutingControl} (links through the exported {@link dev.kubespan.net.netlink.LinkOps}).
 * Requests are built by the {@code *Messages} classes (pure, tested byte for byte), sent by the
 * {@code *Ops} classes, which make adds and removes idempotent (EEXIST = present; ENODEV, ESRCH,
 * ENOENT, EADDRNOTAVAIL on remove = already gone). Our policy rules carry FRA_PROTOCOL 75
 * ({@link dev.kubespan.net.internal.RuleMessages#KUBESPAN_PROTOCOL}).
 */
package dev.kubespan.net.internal;
