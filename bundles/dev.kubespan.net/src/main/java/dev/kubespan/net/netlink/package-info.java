/**
 * The one netlink codec of KubeSpan, shared by the host network ({@code dev.kubespan.net}) and
 * WireGuard ({@code dev.kubespan.wireguard}):
 * <ul>
 * <li>{@link dev.kubespan.net.netlink.Libc}: the libc calls, over JNA with dynamic
 * {@code Function} calls only, so a bundle update does not pin the class loader
 * (docs/wireguard.md §6.6);</li>
 * <li>the codec: {@link dev.kubespan.net.netlink.NetlinkRequest},
 * {@link dev.kubespan.net.netlink.NetlinkMessage}, {@link dev.kubespan.net.netlink.NetlinkAttributes},
 * the framing constants of {@link dev.kubespan.net.netlink.Netlink}, reply handling
 * ({@link dev.kubespan.net.netlink.NetlinkReplies}) and the errno names
 * ({@link dev.kubespan.net.netlink.Errno}, the only place errno values are named);</li>
 * <li>{@link dev.kubespan.net.netlink.NetlinkSocket}, opened in the calling thread's network
 * namespace;</li>
 * <li>generic netlink: request headers ({@link dev.kubespan.net.netlink.GenericNetlink}) and
 * family lookup ({@link dev.kubespan.net.netlink.GenlFamilyResolver}); a family such as
 * WireGuard builds its own attributes on top;</li>
 * <li>{@link dev.kubespan.net.netlink.LinkOps}: links over rtnetlink, for a bundle that owns a
 * link of its own kind (WireGuard creates, sets up and deletes its link with it). Addresses,
 * routes and rules are not here: they are the {@code HostNetwork} and {@code RoutingControl}
 * services.</li>
 * </ul>
 * Byte layouts are host order where the kernel's are; errors are
 * {@link dev.kubespan.api.net.NetworkException}s with the kernel's errno.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.net.netlink;
