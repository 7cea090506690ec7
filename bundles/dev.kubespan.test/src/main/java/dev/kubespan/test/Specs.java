package dev.kubespan.test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.wireguard.Key;

/**
 * Typed spec records from the text a test reads best: addresses, prefixes and endpoints parsed
 * (a bad one fails the test at once, as the producers never publish one), keys named by a label.
 */
public final class Specs {
    private Specs() {
    }

    /** A stable public key named by {@code label} (its SHA-256), for tests that need distinct keys. */
    public static Key key(String label) {
        try {
            return Key.fromBytes(MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code address} empty = none advertised. */
    public static AffiliateKubeSpan kubeSpan(Key publicKey, String address, List<String> additionalAddresses,
            List<String> endpoints, List<String> excludeAdvertisedNetworks) {
        return new AffiliateKubeSpan(publicKey, address.isEmpty() ? null : IpLiterals.parse(address),
                prefixes(additionalAddresses), endpoints(endpoints), prefixes(excludeAdvertisedNetworks));
    }

    /** {@code publicKey} in base64. */
    public static AffiliateKubeSpan kubeSpan(String publicKey, String address, List<String> additionalAddresses,
            List<String> endpoints, List<String> excludeAdvertisedNetworks) {
        return kubeSpan(Key.fromBase64(publicKey), address, additionalAddresses, endpoints, excludeAdvertisedNetworks);
    }

    public static KubeSpanPeerSpec peerSpec(String address, List<String> allowedIPs, List<String> endpoints,
            String label) {
        return new KubeSpanPeerSpec(IpLiterals.parse(address), prefixes(allowedIPs), endpoints(endpoints), label);
    }

    /** Typed values as their canonical texts, for assertions. */
    public static List<String> texts(List<?> values) {
        return values.stream().map(String::valueOf).toList();
    }

    /** An address as its canonical text ("" for none), for assertions. */
    public static String text(InetAddress address) {
        return address == null ? "" : IpLiterals.format(address);
    }

    public static List<IpPrefix> prefixes(List<String> texts) {
        return texts.stream().map(IpPrefix::parse).toList();
    }

    public static List<Endpoint> endpoints(List<String> texts) {
        return texts.stream().map(Endpoint::parse).toList();
    }
}
