package dev.kubespan.wireguard.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

/**
 * One peer section of a device change, backend-neutral (rendered as UAPI text or, later, as a
 * netlink peer nest). A null field means "leave as it is".
 *
 * @param presharedKey for {@link Kind#UPDATE}, an all-zero key clears the device's key
 * @param allowedIPs when not null, replaces the peer's whole list
 */
public record PeerChange(Kind kind, Key publicKey, Key presharedKey, Endpoint endpoint, Duration persistentKeepalive,
        List<IpPrefix> allowedIPs) {

    public enum Kind {
        /** The peer is new: created with every given field. */
        ADD,
        /** The peer exists: only the non-null fields differ. */
        UPDATE,
        /** Delete the peer. */
        REMOVE
    }

    public PeerChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(publicKey, "publicKey");
        allowedIPs = allowedIPs == null ? null : List.copyOf(allowedIPs);
    }

    public static PeerChange remove(Key publicKey) {
        return new PeerChange(Kind.REMOVE, publicKey, null, null, null, null);
    }
}
