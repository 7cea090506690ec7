package dev.kubespan.discovery.server.internal.state;

import java.util.List;

/** An immutable copy of one affiliate: plaintext ID, data ciphertext (maybe empty), endpoint ciphertexts. */
public record AffiliateView(String id, Blob data, List<Blob> endpoints) {
    public AffiliateView {
        endpoints = List.copyOf(endpoints);
    }
}
