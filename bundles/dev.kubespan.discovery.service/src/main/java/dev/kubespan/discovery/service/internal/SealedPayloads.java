package dev.kubespan.discovery.service.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.Affiliate;

/** Affiliates and endpoints to and from their encrypted wire form (docs/discovery-protocol.md §2, §3). Thread-safe. */
public final class SealedPayloads {
    /** The server rejects larger data blobs (§4.1). */
    public static final int MAX_DATA_BYTES = 2048;
    /** The server rejects larger endpoint blobs, so a zoned IPv6 endpoint cannot be sent. */
    public static final int MAX_ENDPOINT_BYTES = 32;

    private final ClusterCipher cipher;

    public SealedPayloads(ClusterCipher cipher) {
        this.cipher = cipher;
    }

    public ClusterCipher cipher() {
        return cipher;
    }

    /** The encrypted data blob of an affiliate; fails when the server would refuse its size. */
    public byte[] sealAffiliate(Affiliate a, Consumer<String> problems) {
        byte[] blob = cipher.seal(PayloadCodec.encode(a, problems).toByteArray());
        if (blob.length > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("affiliate data is " + blob.length + " bytes encrypted, the limit is "
                    + MAX_DATA_BYTES + " (too many addresses?)");
        }
        return blob;
    }

    public byte[] sealEndpoint(Endpoint e) {
        byte[] blob = cipher.sealEndpoint(PayloadCodec.encodeEndpoint(e));
        if (blob.length > MAX_ENDPOINT_BYTES) {
            throw new IllegalArgumentException("endpoint " + e + " encrypts to " + blob.length + " bytes");
        }
        return blob;
    }

    public Endpoint openEndpoint(byte[] blob) throws PayloadException {
        return PayloadCodec.decodeEndpoint(cipher.openEndpoint(blob));
    }

    /**
     * Decrypts a whole affiliate as the server reported it. Undecryptable data fails the
     * affiliate; a bad endpoint blob only loses that endpoint (reported to {@code problems}).
     */
    public Affiliate open(String id, byte[] data, List<byte[]> endpointBlobs, Consumer<String> problems)
            throws PayloadException {
        byte[] plain = cipher.open(data);
        LinkedHashSet<Endpoint> endpoints = new LinkedHashSet<>();
        for (byte[] blob : endpointBlobs) {
            try {
                endpoints.add(openEndpoint(blob));
            } catch (PayloadException e) {
                problems.accept("endpoint skipped: " + e.getMessage());
            }
        }
        return PayloadCodec.decode(id, plain, new ArrayList<>(endpoints), problems);
    }
}
