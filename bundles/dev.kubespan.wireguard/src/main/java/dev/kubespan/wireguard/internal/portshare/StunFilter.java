package dev.kubespan.wireguard.internal.portshare;

/**
 * The classic BPF programs (as in {@code linux/filter.h}) that keep, of every UDP datagram a raw
 * socket sees, only STUN messages to the shared port: destination port equal, and the STUN magic
 * cookie at bytes 4..7 of the payload. Each instruction is packed as
 * {@code code << 48 | jt << 40 | jf << 32 | k}.
 */
final class StunFilter {
    private static final int LD_H_ABS = 0x28;
    private static final int LD_H_IND = 0x48;
    private static final int LD_W_IND = 0x40;
    private static final int LD_W_ABS = 0x20;
    private static final int LDX_B_MSH = 0xb1;
    private static final int JEQ_K = 0x15;
    private static final int JSET_K = 0x45;
    private static final int RET_K = 0x06;
    private static final int ACCEPT = 0x40000;

    private StunFilter() {
    }

    /** IPv4 raw sockets see the IP header first: unfragmented only, then the UDP header after it. */
    static long[] ipv4(int port) {
        return new long[] {
            insn(LD_H_ABS, 0, 0, 6), // flags + fragment offset
            insn(JSET_K, 6, 0, 0x1fff), // a later fragment: drop
            insn(LDX_B_MSH, 0, 0, 0), // X = IP header length
            insn(LD_H_IND, 0, 0, 2), // UDP destination port
            insn(JEQ_K, 0, 3, port),
            insn(LD_W_IND, 0, 0, 12), // payload bytes 4..7
            insn(JEQ_K, 0, 1, RawPortShare.STUN_MAGIC_COOKIE),
            insn(RET_K, 0, 0, ACCEPT),
            insn(RET_K, 0, 0, 0),
        };
    }

    /** IPv6 raw sockets see the UDP header first. */
    static long[] ipv6(int port) {
        return new long[] {
            insn(LD_H_ABS, 0, 0, 2), // UDP destination port
            insn(JEQ_K, 0, 3, port),
            insn(LD_W_ABS, 0, 0, 12), // payload bytes 4..7
            insn(JEQ_K, 0, 1, RawPortShare.STUN_MAGIC_COOKIE),
            insn(RET_K, 0, 0, ACCEPT),
            insn(RET_K, 0, 0, 0),
        };
    }

    static long insn(int code, int jt, int jf, int k) {
        return ((long) code << 48) | ((long) (jt & 0xff) << 40) | ((long) (jf & 0xff) << 32) | (k & 0xffffffffL);
    }
}
