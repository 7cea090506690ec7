/**
 * Netlink over JNA: {@link dev.kubespan.wireguard.internal.netlink.Libc} (dynamic
 * {@code Function} calls only, so hot updates do not pin the bundle class loader), the message
 * codec ({@link dev.kubespan.wireguard.internal.netlink.NetlinkRequest},
 * {@link dev.kubespan.wireguard.internal.netlink.NetlinkMessage},
 * {@link dev.kubespan.wireguard.internal.netlink.NetlinkAttributes}), reply handling
 * ({@link dev.kubespan.wireguard.internal.netlink.NetlinkReplies}), the socket, and generic
 * netlink family lookup. Protocol-neutral: rtnetlink lives in {@code internal.rtnl}, and a
 * generic netlink family (WireGuard) can build its requests with
 * {@link dev.kubespan.wireguard.internal.netlink.GenericNetlink#request}.
 */
package dev.kubespan.wireguard.internal.netlink;
