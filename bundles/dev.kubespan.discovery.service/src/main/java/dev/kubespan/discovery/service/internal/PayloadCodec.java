package dev.kubespan.discovery.service.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.discovery.grpc.client.IPPrefix;
import dev.kubespan.discovery.grpc.client.KubeSpan;

/**
 * Affiliate spec ↔ the Talos payload protobuf ({@code sidero.discovery.client}, docs/discovery-protocol.md §3). Plain
 * conversion, no crypto. {@code excludeAdvertisedNetworks} is neither sent nor read: its field
 * number is not pinned yet (§3.2), and unknown fields are ignored by every parser.
 */
public final class PayloadCodec {
    private PayloadCodec() {
    }

    /**
     * The payload for one affiliate. Entries that do not parse (a malformed address in the
     * local spec) are left out and reported to {@code problems}.
     */
    public static dev.kubespan.discovery.grpc.client.Affiliate encode(Affiliate a, Consumer<String> problems) {
        var b = dev.kubespan.discovery.grpc.client.Affiliate.newBuilder()
                .setNodeId(a.nodeId())
                .setHostname(a.hostname())
                .setNodename(a.nodename())
                .setMachineType(a.machineType())
                .setOperatingSystem(a.operatingSystem());
        for (String addr : a.addresses()) {
            try {
                b.addAddresses(ByteString.copyFrom(IpBytes.encode(addr)));
            } catch (IllegalArgumentException e) {
                problems.accept("address: " + e.getMessage());
            }
        }
        AffiliateKubeSpan ks = a.kubespan();
        if (ks != null) {
            KubeSpan.Builder k = KubeSpan.newBuilder().setPublicKey(ks.publicKey().toBase64());
            if (ks.address() != null) {
                k.setAddress(ByteString.copyFrom(ks.address().getAddress()));
            }
            for (IpPrefix prefix : ks.additionalAddresses()) {
                k.addAdditionalAddresses(IPPrefix.newBuilder()
                        .setIp(ByteString.copyFrom(prefix.address().getAddress()))
                        .setBits(prefix.bits()));
            }
            b.setKubespan(k);
        }
        if (a.controlPlane() != null) {
            b.setControlPlane(dev.kubespan.discovery.grpc.client.ControlPlane.newBuilder()
                    .setApiServerPort(a.controlPlane().port()));
        }
        return b.build();
    }

    /**
     * The affiliate a peer published. {@code id} is the plaintext affiliate ID the server
     * stores; a payload naming another node is rejected, since deletions are keyed by that ID.
     * Single bad addresses or prefixes are skipped (reported to {@code problems}); the endpoints
     * are used only when the payload has a KubeSpan part, as Talos does.
     */
    public static Affiliate decode(String id, byte[] payload, List<Endpoint> endpoints, Consumer<String> problems)
            throws PayloadException {
        dev.kubespan.discovery.grpc.client.Affiliate p;
        try {
            p = dev.kubespan.discovery.grpc.client.Affiliate.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new PayloadException("affiliate data is not a valid Affiliate protobuf");
        }
        if (!p.getNodeId().isEmpty() && !p.getNodeId().equals(id)) {
            throw new PayloadException("affiliate data names another node ID");
        }
        List<String> addresses = new ArrayList<>();
        for (ByteString a : p.getAddressesList()) {
            try {
                addresses.add(IpBytes.decodeText(a.toByteArray()));
            } catch (PayloadException e) {
                problems.accept("address skipped: " + e.getMessage());
            }
        }
        AffiliateKubeSpan ks = null;
        if (p.hasKubespan()) {
            KubeSpan k = p.getKubespan();
            Key key = null;
            try {
                key = Key.fromBase64(k.getPublicKey());
            } catch (IllegalArgumentException e) {
                problems.accept("kubespan data skipped: the public key is not a WireGuard key");
            }
            if (key != null) {
                InetAddress address = null;
                if (!k.getAddress().isEmpty()) {
                    try {
                        address = IpBytes.decode(k.getAddress().toByteArray());
                    } catch (PayloadException e) {
                        problems.accept("kubespan address skipped: " + e.getMessage());
                    }
                }
                List<IpPrefix> prefixes = new ArrayList<>();
                for (IPPrefix ip : k.getAdditionalAddressesList()) {
                    try {
                        IpPrefix prefix = new IpPrefix(IpBytes.decode(ip.getIp().toByteArray()), ip.getBits());
                        if (!prefixes.contains(prefix)) {
                            prefixes.add(prefix);
                        }
                    } catch (PayloadException | IllegalArgumentException e) {
                        problems.accept("additional address skipped: " + e.getMessage());
                    }
                }
                ks = new AffiliateKubeSpan(key, address, prefixes, endpoints, List.of());
            }
        }
        ControlPlane cp = p.hasControlPlane() ? new ControlPlane(p.getControlPlane().getApiServerPort()) : null;
        return new Affiliate(id, addresses, p.getHostname(), p.getNodename(), p.getOperatingSystem(),
                machineType(p.getMachineType()), ks, cp);
    }

    /** Talos' parser: {@code join} and empty mean worker; anything it does not know is unknown. */
    static String machineType(String t) {
        return switch (t) {
        case "controlplane", "worker", "init", "unknown" -> t;
        case "join", "" -> "worker";
        default -> "unknown";
        };
    }

    /** The Endpoint protobuf for {@code ip:port}: field 1 then 2, defaults omitted, like Go. */
    public static byte[] encodeEndpoint(Endpoint e) {
        return dev.kubespan.discovery.grpc.client.Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(e.address().getAddress()))
                .setPort(e.port())
                .build()
                .toByteArray();
    }

    public static Endpoint decodeEndpoint(byte[] b) throws PayloadException {
        dev.kubespan.discovery.grpc.client.Endpoint p;
        try {
            p = dev.kubespan.discovery.grpc.client.Endpoint.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new PayloadException("endpoint is not a valid Endpoint protobuf");
        }
        int port = p.getPort();
        if (port < 1 || port > 65535) {
            throw new PayloadException("endpoint port " + Integer.toUnsignedString(port) + " out of range");
        }
        return new Endpoint(IpBytes.decode(p.getIp().toByteArray()), port);
    }

}
