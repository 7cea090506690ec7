package dev.kubespan.discovery.server.internal.grpc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import io.grpc.Metadata;

/**
 * Which address a call comes from: the TCP peer, unless forwarding headers are trusted. Any
 * client can set {@code X-Real-IP} and {@code X-Forwarded-For}, so they are only believed when
 * the operator says so, and then (when {@code trustedProxies} is not empty) only from a peer in
 * one of those prefixes: the reverse proxy that sets them.
 */
public final class ClientAddresses {
    static final Metadata.Key<String> X_REAL_IP = Metadata.Key.of("x-real-ip", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> X_FORWARDED_FOR = Metadata.Key.of("x-forwarded-for",
            Metadata.ASCII_STRING_MARSHALLER);

    /** The TCP peer, whatever the headers say. */
    public static final ClientAddresses PEER_ONLY = new ClientAddresses(false, false, List.of());

    private final boolean trustRealIp;
    private final boolean trustForwardedFor;
    private final List<IpPrefix> trustedProxies;

    public ClientAddresses(boolean trustRealIp, boolean trustForwardedFor, List<IpPrefix> trustedProxies) {
        this.trustRealIp = trustRealIp;
        this.trustForwardedFor = trustForwardedFor;
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** The caller's address; null when the peer is not an IP socket and no header is believed. */
    public InetAddress resolve(SocketAddress peer, Metadata headers) {
        InetAddress tcpPeer = peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (fromTrustedProxy(tcpPeer)) {
            if (trustRealIp) {
                InetAddress a = parse(headers.get(X_REAL_IP));
                if (a != null) {
                    return a;
                }
            }
            if (trustForwardedFor) {
                String v = headers.get(X_FORWARDED_FOR);
                if (v != null) {
                    int comma = v.indexOf(',');
                    InetAddress a = parse(comma < 0 ? v : v.substring(0, comma));
                    if (a != null) {
                        return a;
                    }
                }
            }
        }
        return tcpPeer;
    }

    private boolean fromTrustedProxy(InetAddress tcpPeer) {
        if (!trustRealIp && !trustForwardedFor) {
            return false;
        }
        if (trustedProxies.isEmpty()) {
            return true;
        }
        if (tcpPeer == null) {
            return false;
        }
        for (IpPrefix p : trustedProxies) {
            if (p.contains(tcpPeer)) {
                return true;
            }
        }
        return false;
    }

    private static InetAddress parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return IpLiterals.parse(value.trim());
        } catch (IllegalArgumentException notAnIp) {
            return null;
        }
    }

    @Override
    public String toString() {
        if (!trustRealIp && !trustForwardedFor) {
            return "TCP peer only";
        }
        return (trustRealIp ? "X-Real-IP" : "") + (trustRealIp && trustForwardedFor ? ", " : "")
                + (trustForwardedFor ? "first X-Forwarded-For" : "") + " from "
                + (trustedProxies.isEmpty() ? "any peer" : trustedProxies.toString());
    }
}
