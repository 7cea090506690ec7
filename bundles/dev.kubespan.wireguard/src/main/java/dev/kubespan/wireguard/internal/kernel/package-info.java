/**
 * The kernel WireGuard backend: links of kind {@code wireguard} over rtnetlink and their
 * configuration over the generic netlink family {@code wireguard}
 * ({@link dev.kubespan.wireguard.internal.kernel.KernelBackend}); the message codec
 * ({@link dev.kubespan.wireguard.internal.kernel.SetDeviceMessages} with fragmentation,
 * {@link dev.kubespan.wireguard.internal.kernel.DeviceDump} with multi-part merge) is pure and
 * tested byte for byte; the backend itself is proven against a real kernel in
 * {@code itests/kernel-vm}.
 */
package dev.kubespan.wireguard.internal.kernel;
