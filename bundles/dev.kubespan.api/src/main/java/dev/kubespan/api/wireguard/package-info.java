/**
 * WireGuard as KubeSpan drives it: keys, the desired device config, the device state read back,
 * and the {@link dev.kubespan.api.wireguard.WireGuardControl} service with kernel and userspace
 * backends.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.api.wireguard;
