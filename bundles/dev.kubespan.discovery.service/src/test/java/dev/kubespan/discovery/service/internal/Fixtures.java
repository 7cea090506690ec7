package dev.kubespan.discovery.service.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.test.Specs;

/** Shared test data. */
final class Fixtures {
    static final byte[] KEY = new byte[32];
    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) (0xa0 + i);
        }
    }
    static final String KEY_BASE64 = Base64.getEncoder().encodeToString(KEY);

    private Fixtures() {
    }

    static SealedPayloads payloads() {
        return new SealedPayloads(new ClusterCipher(KEY, new SecureRandom()));
    }

    static SealedPayloads otherKeyPayloads() {
        byte[] k = KEY.clone();
        k[5] ^= 0x7f;
        return new SealedPayloads(new ClusterCipher(k, new SecureRandom()));
    }

    /** A complete affiliate as the manager would write it. */
    static Affiliate affiliate(String nodeId, String lastOctet) {
        return new Affiliate(nodeId, List.of("192.0.2." + lastOctet, "2001:db8::" + lastOctet, "fd7f:175a:b97c:5602::" + lastOctet),
                "host" + lastOctet + ".example", "node" + lastOctet, "Talos (v1.12.3)", "controlplane",
                Specs.kubeSpan(Specs.key("pk" + lastOctet),
                        "fd7f:175a:b97c:5602:e871:1bff:feb2:cc" + lastOctet,
                        List.of("10.244." + lastOctet + ".0/24", "fd00:" + lastOctet + "::/64"),
                        List.of("192.0.2." + lastOctet + ":51820", "[2001:db8::" + lastOctet + "]:51820"), List.of()),
                new ControlPlane(6443));
    }
}
