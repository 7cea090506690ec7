package dev.kubespan.wireguard.internal.uapi;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.PeerChange;

/**
 * Renders a {@link DeviceChange} as a UAPI {@code set=1} request (docs/wireguard.md §4.3): device keys
 * first, then one section per peer, then the blank line that makes the daemon answer.
 *
 * <p>The text carries the private key when it changes: it goes to the socket only, never to a log
 * or an exception message.
 */
public final class UapiSetRequest {
    private UapiSetRequest() {
    }

    public static String render(DeviceChange change) {
        StringBuilder sb = new StringBuilder(64 + change.peers().size() * 256);
        sb.append("set=1\n");
        if (change.privateKey() != null) {
            line(sb, "private_key", change.privateKey().toHex());
        }
        if (change.listenPort() != null) {
            int port = change.listenPort();
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("listen port " + port + " is outside 0..65535");
            }
            line(sb, "listen_port", Integer.toString(port));
        }
        if (change.fwmark() != null) {
            line(sb, "fwmark", Integer.toUnsignedString(change.fwmark()));
        }
        for (PeerChange p : change.peers()) {
            peer(sb, p);
        }
        sb.append('\n');
        return sb.toString();
    }

    private static void peer(StringBuilder sb, PeerChange p) {
        line(sb, "public_key", p.publicKey().toHex());
        switch (p.kind()) {
        case REMOVE -> line(sb, "remove", "true");
        case ADD, UPDATE -> {
            if (p.presharedKey() != null) {
                line(sb, "preshared_key", p.presharedKey().toHex());
            }
            if (p.endpoint() != null) {
                line(sb, "endpoint", endpoint(p.endpoint()));
            }
            if (p.persistentKeepalive() != null && (p.kind() == PeerChange.Kind.UPDATE
                    || !p.persistentKeepalive().isZero())) {
                line(sb, "persistent_keepalive_interval", Long.toString(p.persistentKeepalive().getSeconds()));
            }
            if (p.allowedIPs() != null) {
                line(sb, "replace_allowed_ips", "true");
                for (IpPrefix ip : p.allowedIPs()) {
                    line(sb, "allowed_ip", ip.masked().toString());
                }
            }
        }
        }
    }

    /** Numeric, IPv6 bracketed, no zone: exactly what the daemon's parser accepts. */
    static String endpoint(Endpoint e) {
        return e.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }
}
