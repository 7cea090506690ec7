package dev.kubespan.api.net;

/**
 * A policy routing rule. {@code invert} negates the whole selector (as {@code ip rule add not
 * ...}); {@code fwmask} 0 means no fwmark match; {@code ipProto} 0 means any protocol;
 * {@code sport}/{@code dport} may be null.
 */
public record Rule(boolean ipv6, int priority, int table, long fwmark, long fwmask, boolean invert, int ipProto,
        PortRange sport, PortRange dport) {
    public static final int TABLE_MAIN = 254;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
}
