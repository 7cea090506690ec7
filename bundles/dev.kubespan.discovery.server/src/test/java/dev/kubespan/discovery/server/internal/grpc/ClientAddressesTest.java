package dev.kubespan.discovery.server.internal.grpc;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;
import io.grpc.Metadata;

public class ClientAddressesTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("10.1.2.3", 40000);
    private static final InetSocketAddress DIRECT = new InetSocketAddress("192.0.2.9", 40000);

    private static Metadata headers(String realIp, String forwardedFor) {
        Metadata m = new Metadata();
        if (realIp != null) {
            m.put(ClientAddresses.X_REAL_IP, realIp);
        }
        if (forwardedFor != null) {
            m.put(ClientAddresses.X_FORWARDED_FOR, forwardedFor);
        }
        return m;
    }

    private static String resolve(ClientAddresses a, InetSocketAddress peer, Metadata h) {
        InetAddress ip = a.resolve(peer, h);
        return ip == null ? null : ip.getHostAddress();
    }

    @Test
    public void headersAreIgnoredUnlessTrusted() {
        Metadata spoofed = headers("203.0.113.7", "198.51.100.1");
        assertEquals("192.0.2.9", resolve(ClientAddresses.PEER_ONLY, DIRECT, spoofed));
    }

    @Test
    public void trustedHeadersInOrderThenThePeer() {
        ClientAddresses both = new ClientAddresses(true, true, List.of());
        assertEquals("203.0.113.7", resolve(both, PROXY, headers("203.0.113.7", "198.51.100.1")));
        assertEquals("198.51.100.1", resolve(both, PROXY, headers(" not-an-ip ", "198.51.100.1, 10.0.0.1")));
        assertEquals("10.1.2.3", resolve(both, PROXY, headers(null, "garbage")));
        ClientAddresses forwardedOnly = new ClientAddresses(false, true, List.of());
        assertEquals("198.51.100.1", resolve(forwardedOnly, PROXY, headers("203.0.113.7", "198.51.100.1")));
    }

    @Test
    public void withTrustedProxiesOnlyThoseMaySetTheHeaders() {
        ClientAddresses behindProxy = new ClientAddresses(true, true, List.of(IpPrefix.parse("10.0.0.0/8")));
        Metadata h = headers("203.0.113.7", null);
        assertEquals("203.0.113.7", resolve(behindProxy, PROXY, h));
        assertEquals("a client that reaches the server directly cannot spoof", "192.0.2.9",
                resolve(behindProxy, DIRECT, h));
    }
}
