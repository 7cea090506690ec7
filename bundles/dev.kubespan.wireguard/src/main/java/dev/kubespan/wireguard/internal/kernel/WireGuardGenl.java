package dev.kubespan.wireguard.internal.kernel;

/**
 * The kernel's generic netlink family {@code wireguard} ({@code linux/wireguard.h}; docs/wireguard.md
 * §5.2, §5.3). The numbers are kernel ABI.
 */
public final class WireGuardGenl {
    public static final String FAMILY = "wireguard";
    public static final int VERSION = 1;

    public static final int CMD_GET_DEVICE = 0;
    public static final int CMD_SET_DEVICE = 1;

    // WGDEVICE_A_*
    public static final int DEVICE_IFINDEX = 1;
    public static final int DEVICE_IFNAME = 2;
    public static final int DEVICE_PRIVATE_KEY = 3;
    public static final int DEVICE_PUBLIC_KEY = 4;
    public static final int DEVICE_FLAGS = 5;
    public static final int DEVICE_LISTEN_PORT = 6;
    public static final int DEVICE_FWMARK = 7;
    public static final int DEVICE_PEERS = 8;

    public static final int DEVICE_F_REPLACE_PEERS = 1;

    // WGPEER_A_*
    public static final int PEER_PUBLIC_KEY = 1;
    public static final int PEER_PRESHARED_KEY = 2;
    public static final int PEER_FLAGS = 3;
    public static final int PEER_ENDPOINT = 4;
    public static final int PEER_PERSISTENT_KEEPALIVE_INTERVAL = 5;
    public static final int PEER_LAST_HANDSHAKE_TIME = 6;
    public static final int PEER_RX_BYTES = 7;
    public static final int PEER_TX_BYTES = 8;
    public static final int PEER_ALLOWEDIPS = 9;
    public static final int PEER_PROTOCOL_VERSION = 10;

    public static final int PEER_F_REMOVE_ME = 1;
    public static final int PEER_F_REPLACE_ALLOWEDIPS = 2;
    public static final int PEER_F_UPDATE_ONLY = 4;

    // WGALLOWEDIP_A_*
    public static final int ALLOWEDIP_FAMILY = 1;
    public static final int ALLOWEDIP_IPADDR = 2;
    public static final int ALLOWEDIP_CIDR_MASK = 3;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** The link kind for RTM_NEWLINK and the IFLA_INFO_KIND of a kernel WireGuard link. */
    public static final String LINK_KIND = "wireguard";

    private WireGuardGenl() {
    }
}
