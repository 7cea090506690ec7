package dev.kubespan.discovery.grpc.transport;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts a server's open connections, in total and per peer address, against their caps (0 = none). */
final class ConnectionLimits {
    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    ConnectionLimits(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a place for a connection from {@code peer}; null when admitted, else why not. */
    TransportEvents.Rejection tryAdmit(InetAddress peer) {
        int n = total.incrementAndGet();
        if (maxTotal > 0 && n > maxTotal) {
            total.decrementAndGet();
            return TransportEvents.Rejection.TOTAL_LIMIT;
        }
        if (maxPerAddress > 0 && peer != null) {
            boolean[] admitted = {false};
            perAddress.compute(peer, (k, v) -> {
                int held = v == null ? 0 : v;
                if (held >= maxPerAddress) {
                    return v;
                }
                admitted[0] = true;
                return held + 1;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return TransportEvents.Rejection.ADDRESS_LIMIT;
            }
        }
        return null;
    }

    /** Gives back the place of a connection admitted by {@link #tryAdmit}. */
    void release(InetAddress peer) {
        total.decrementAndGet();
        if (maxPerAddress > 0 && peer != null) {
            perAddress.computeIfPresent(peer, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    int open() {
        return total.get();
    }
}
