package dev.kubespan.api.net;

/**
 * One address assigned to a link. {@code prefix} keeps the host bits (e.g. {@code 10.0.0.5/24}).
 *
 * @param scope rtnetlink scope: 0 global, 253 link, 254 host
 */
public record AddressInfo(int linkIndex, String linkName, IpPrefix prefix, int scope) {
    public static final int SCOPE_GLOBAL = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
}
