package dev.kubespan.wireguard.internal;

import java.util.List;

import dev.kubespan.api.wireguard.Key;

/**
 * What has to change on a device, backend-neutral. Null device fields are left as they are;
 * peers not mentioned are not touched.
 */
public record DeviceChange(Key privateKey, Integer listenPort, Integer fwmark, List<PeerChange> peers) {
    public static final DeviceChange NONE = new DeviceChange(null, null, null, List.of());

    public DeviceChange {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    public static DeviceChange ofPeers(List<PeerChange> peers) {
        return new DeviceChange(null, null, null, peers);
    }

    public boolean isEmpty() {
        return privateKey == null && listenPort == null && fwmark == null && peers.isEmpty();
    }

    /** For logs: what changes, without any key material. */
    public String summary() {
        int add = 0;
        int update = 0;
        int remove = 0;
        for (PeerChange p : peers) {
            switch (p.kind()) {
            case ADD -> add++;
            case UPDATE -> update++;
            case REMOVE -> remove++;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (privateKey != null) {
            sb.append("private key, ");
        }
        if (listenPort != null) {
            sb.append("listen port ").append(listenPort).append(", ");
        }
        if (fwmark != null) {
            sb.append("fwmark ").append(fwmark).append(", ");
        }
        sb.append("peers +").append(add).append(" ~").append(update).append(" -").append(remove);
        return sb.toString();
    }
}
