package dev.kubespan.wireguard.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.wireguard.Backend;

/**
 * One way to drive WireGuard devices (userspace wireguard-go over UAPI today; kernel generic
 * netlink beside it later). Backends do the device I/O; the diff, the remembered desired state and
 * status publishing live above them in {@link WireGuardService}. Calls come one at a time.
 */
public interface WireGuardBackend {

    Backend kind();

    /**
     * Takes over the devices a previous instance left running (bundle update, container restart)
     * as they are: no restart, no reconfiguration. Returns their link names.
     */
    List<String> adoptRunning();

    /** Creates the device if missing (or adopts a running one), sets the MTU if it differs and brings it up. */
    void ensureLink(String link, int mtu);

    /** The link in the backend's network namespace, or empty. */
    Optional<LinkInfo> linkInfo(String link);

    /** The device as it is, or empty when the link does not exist. */
    Optional<DeviceSnapshot> read(String link);

    /** Applies a change; on failure the device may be partly changed (re-read it). */
    void set(String link, DeviceChange change);

    /** Removes the device; no error when it does not exist. */
    void deleteLink(String link);

    /** The links this backend drives or adopted (for status publishing). */
    Set<String> links();

    /** What the status shows for a link: process id (0 for none) and a one-line detail. */
    LinkHealth health(String link);

    /** Lets the backend tell the service about changes it did not cause (a daemon died or came back). */
    void setListener(Listener listener);

    /** Stops supervising; stops the devices too unless {@code keepLinks}. */
    void close(boolean keepLinks);

    record LinkHealth(long pid, String detail) {
    }

    interface Listener {
        /** The device was recreated empty (e.g. a restarted wireguard-go) and needs its config again. */
        void recreated(String link);

        /** Something about the link changed (status worth republishing). */
        void changed(String link);
    }
}
