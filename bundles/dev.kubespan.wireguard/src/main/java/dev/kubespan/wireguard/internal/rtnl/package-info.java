/**
 * rtnetlink: links ({@link dev.kubespan.wireguard.internal.rtnl.LinkOps}), addresses, routes and
 * policy rules, and the {@link dev.kubespan.wireguard.internal.rtnl.NetlinkNetwork} component
 * that provides {@code HostNetwork} and {@code RoutingControl}. Requests are built by the
 * {@code *Messages} classes (pure, tested byte for byte), sent by the {@code *Ops} classes,
 * which make adds and removes idempotent (EEXIST = present; ENODEV, ESRCH, ENOENT,
 * EADDRNOTAVAIL on remove = already gone). Our policy rules carry FRA_PROTOCOL 75
 * ({@link dev.kubespan.wireguard.internal.rtnl.RuleMessages#KUBESPAN_PROTOCOL}).
 */
package dev.kubespan.wireguard.internal.rtnl;
