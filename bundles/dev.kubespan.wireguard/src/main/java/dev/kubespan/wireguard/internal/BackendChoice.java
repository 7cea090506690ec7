package dev.kubespan.wireguard.internal;

import java.util.Locale;
import java.util.function.BooleanSupplier;

import dev.kubespan.api.wireguard.Backend;

/**
 * Which backend drives WireGuard (docs/wireguard.md §6.2): {@code auto} takes the kernel when the
 * generic netlink family {@code wireguard} exists, else userspace; {@code kernel} and
 * {@code userspace} force one. Until a kernel backend exists, {@code auto} falls back to
 * userspace and says why, and a forced {@code kernel} is unavailable rather than silently
 * something else.
 *
 * @param available false when the chosen backend cannot run (then {@code reason} says why)
 * @param reason one line for the log and the LinkStatus detail
 */
public record BackendChoice(Backend backend, boolean available, String reason) {
    public static final String AUTO = "auto";
    public static final String KERNEL = "kernel";
    public static final String USERSPACE = "userspace";

    /**
     * @param configured the {@code backend} config value
     * @param kernelFamilyPresent asks the kernel for the genl family (may throw)
     * @param kernelBackendImplemented whether this build has a kernel backend
     */
    public static BackendChoice choose(String configured, BooleanSupplier kernelFamilyPresent,
            boolean kernelBackendImplemented) {
        String mode = configured == null || configured.isBlank() ? AUTO : configured.trim().toLowerCase(Locale.ROOT);
        String note = "";
        if (!mode.equals(AUTO) && !mode.equals(KERNEL) && !mode.equals(USERSPACE)) {
            note = "unknown backend '" + configured + "' (use auto, kernel or userspace), using auto; ";
            mode = AUTO;
        }
        if (mode.equals(USERSPACE)) {
            return new BackendChoice(Backend.USERSPACE, true, "userspace wireguard-go (forced by config)");
        }
        if (mode.equals(KERNEL)) {
            return kernelBackendImplemented
                    ? new BackendChoice(Backend.KERNEL, true, "kernel WireGuard (forced by config)")
                    : new BackendChoice(Backend.KERNEL, false,
                            "backend=kernel is forced by config, but this build has no kernel backend yet;"
                                    + " set backend=auto or userspace");
        }
        boolean present;
        try {
            present = kernelFamilyPresent.getAsBoolean();
        } catch (RuntimeException e) {
            return new BackendChoice(Backend.USERSPACE, true, note + "auto: could not look up the genl family"
                    + " 'wireguard' (" + e.getMessage() + "); using userspace wireguard-go");
        }
        if (!present) {
            return new BackendChoice(Backend.USERSPACE, true,
                    note + "auto: no kernel WireGuard (genl family 'wireguard' not found); using userspace wireguard-go");
        }
        if (kernelBackendImplemented) {
            return new BackendChoice(Backend.KERNEL, true, note + "auto: kernel WireGuard (genl family 'wireguard')");
        }
        return new BackendChoice(Backend.USERSPACE, true, note + "auto: the kernel has WireGuard (genl family"
                + " 'wireguard'), but this build has no kernel backend yet; using userspace wireguard-go");
    }
}
