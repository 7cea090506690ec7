package dev.kubespan.manager.internal;

import java.net.InetAddress;

/** Recognises Talos' ULA addresses by their purpose byte (docs/kubespan-node.md §3.2). */
final class Ula {
    static final int PURPOSE_KUBESPAN = 0x02;
    static final int PURPOSE_SIDEROLINK = 0x03;

    private Ula() {
    }

    static boolean isKubeSpan(InetAddress a) {
        return hasPurpose(a, PURPOSE_KUBESPAN);
    }

    static boolean isSideroLink(InetAddress a) {
        return hasPurpose(a, PURPOSE_SIDEROLINK);
    }

    private static boolean hasPurpose(InetAddress a, int purpose) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xff) == 0xfd && b[7] == purpose;
    }
}
