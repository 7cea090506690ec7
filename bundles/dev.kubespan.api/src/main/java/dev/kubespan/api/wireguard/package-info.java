/**
 * WireGuard as KubeSpan drives it: keys, the desired device config, the device state read back,
 * and the {@link dev.kubespan.api.wireguard.WireGuardControl} service with kernel and userspace
 * backends, and {@link dev.kubespan.api.wireguard.WireGuardPort} for datagrams from WireGuard's own port.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.kubespan.api.wireguard;
