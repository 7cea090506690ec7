package dev.kubespan.api.spec;

import java.time.Instant;

/**
 * Direct-path probing of one peer (ns {@code kubespan}, id = the peer's public key): while a peer
 * of ours is not up directly, both nodes send authenticated STUN probes from their WireGuard ports
 * to each other's candidates in the same time windows; the address an answer (or the peer's own
 * probe) came from is a direct path that works now, through whatever NATs are in between.
 *
 * @param reachableAt empty until a probe was answered; then the peer's address that answered
 * @param answeredAt when, zero until then
 */
public record PathProbe(String label, String reachableAt, Instant answeredAt, long rttMillis, Instant lastWindow,
        int windows) {
    public PathProbe {
        label = Lists.text(label);
        reachableAt = Lists.text(reachableAt);
        answeredAt = Times.orZero(answeredAt);
        lastWindow = Times.orZero(lastWindow);
    }
}
