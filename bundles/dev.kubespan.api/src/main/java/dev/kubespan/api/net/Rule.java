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

    /** A rule of the given family that matches everything, for the main table, priority 0. */
    public static Builder builder(boolean ipv6) {
        return new Builder(ipv6);
    }

    /** Names the selector and the action of a rule; what is not set matches anything. */
    public static final class Builder {
        private final boolean ipv6;
        private int priority;
        private int table = TABLE_MAIN;
        private long fwmark;
        private long fwmask;
        private boolean invert;
        private int ipProto;
        private PortRange sport;
        private PortRange dport;

        private Builder(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        /** The table to look up when the rule matches. */
        public Builder table(int v) {
            table = v;
            return this;
        }

        /** Matches packets whose mark, masked with {@code mask}, equals {@code mark}. */
        public Builder fwmark(long mark, long mask) {
            fwmark = mark;
            fwmask = mask;
            return this;
        }

        /** Negates the whole selector ({@code ip rule add not ...}). */
        public Builder invert() {
            invert = true;
            return this;
        }

        /** E.g. {@link Rule#IPPROTO_TCP}. */
        public Builder ipProto(int v) {
            ipProto = v;
            return this;
        }

        public Builder sport(PortRange v) {
            sport = v;
            return this;
        }

        public Builder dport(PortRange v) {
            dport = v;
            return this;
        }

        public Rule build() {
            return new Rule(ipv6, priority, table, fwmark, fwmask, invert, ipProto, sport, dport);
        }
    }
}
