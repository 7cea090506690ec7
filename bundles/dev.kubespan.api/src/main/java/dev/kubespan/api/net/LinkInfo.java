package dev.kubespan.api.net;

/**
 * One network link of the host.
 *
 * @param kind the rtnetlink link kind ({@code veth}, {@code bridge}, {@code wireguard}), empty for none
 * @param type the ARPHRD hardware type (1 = Ethernet)
 * @param hardwareAddress colon-separated lower-case hex, empty when the link has none
 */
public record LinkInfo(int index, String name, String kind, int type, String hardwareAddress, boolean up, int mtu) {
    public static final int ARPHRD_ETHER = 1;

    public LinkInfo {
        kind = kind == null ? "" : kind;
        hardwareAddress = hardwareAddress == null ? "" : hardwareAddress;
    }

    /** Talos' "physical": Ethernet type and no link kind. */
    public boolean physical() {
        return type == ARPHRD_ETHER && kind.isEmpty();
    }
}
