package dev.kubespan.api.wireguard;

import java.util.Locale;

/** Which WireGuard implementation drives the link. */
public enum Backend {
    /** The kernel module, over generic netlink. */
    KERNEL,
    /** wireguard-go, supervised, over the UAPI socket. */
    USERSPACE;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
