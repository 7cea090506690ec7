package dev.kubespan.api.wireguard;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;


/**
 * Drives WireGuard links. Every method is safe to call again with the same arguments; an existing
 * link and its peers are adopted as they are (a bundle update must not drop the tunnel). A link
 * has one writer (the KubeSpan device controller); anyone may {@link #read} it.
 */
@ProviderType
public interface WireGuardControl {

    Backend backend();

    /** Creates the link if missing (starting wireguard-go for the userspace backend), sets its MTU and brings it up. */
    void ensureLink(String link, int mtu);

    boolean linkExists(String link);

    /**
     * Applies the desired device as a diff against the current one: peers added, changed or
     * removed by public key, unchanged peers untouched, private key/port/fwmark set only when
     * they differ.
     */
    void apply(String link, DeviceConfig desired);

    /** The device as it is now, or empty when the link does not exist. */
    Optional<DeviceState> read(String link);

    /** Deletes the link (and stops its wireguard-go); no error when it does not exist. */
    void deleteLink(String link);
}
