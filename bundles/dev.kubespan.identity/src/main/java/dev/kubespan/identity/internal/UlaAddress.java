package dev.kubespan.identity.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.kubespan.api.net.IpPrefix;

/**
 * Talos' flavour of an RFC 4193 ULA (docs/kubespan-node.md §3.2 and §3.3): the /64 comes from the
 * SHA-256 of the cluster ID text and a purpose byte, the host part from the MAC.
 */
final class UlaAddress {
    static final byte PURPOSE_KUBESPAN = 0x02;

    /** The KubeSpan subnet ({@code /64}) and this node's address in it ({@code /128}). */
    record NodeAddress(IpPrefix subnet, IpPrefix address) {
    }

    private UlaAddress() {
    }

    /**
     * The 16-byte network address of the /64 (host half zero). The cluster ID is hashed as
     * written in the config, never base64-decoded, because that is what every Talos node does.
     */
    static byte[] prefix(String clusterId, byte purpose) {
        byte[] h = sha256(clusterId.getBytes(StandardCharsets.UTF_8));
        byte[] b = new byte[16];
        System.arraycopy(h, 16, b, 0, 8);
        b[0] = (byte) 0xfd;
        b[7] = purpose;
        return b;
    }

    static IpPrefix kubeSpanSubnet(String clusterId) {
        return new IpPrefix(inet(prefix(clusterId, PURPOSE_KUBESPAN)), 64);
    }

    static NodeAddress kubeSpan(String clusterId, byte[] mac) {
        byte[] net = prefix(clusterId, PURPOSE_KUBESPAN);
        byte[] host = net.clone();
        System.arraycopy(Eui64.interfaceId(mac), 0, host, 8, 8);
        return new NodeAddress(new IpPrefix(inet(net), 64), new IpPrefix(inet(host), 128));
    }

    private static InetAddress inet(byte[] sixteen) {
        try {
            return InetAddress.getByAddress(sixteen);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }
}
