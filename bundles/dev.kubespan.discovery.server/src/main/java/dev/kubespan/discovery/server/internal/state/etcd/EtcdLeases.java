package dev.kubespan.discovery.server.internal.state.etcd;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Leases by expiration second: every key that expires in the same second shares one lease, and
 * the lease ID itself is that second (tagged), so any replica reads a key's expiration from the
 * key's lease ID and reuses a lease another replica granted ("lease already exists" is fine).
 * An update therefore grants at most one lease per second, not one per key.
 */
final class EtcdLeases {
    /** High bits of our lease IDs ("KS"), so they do not collide with leases etcd picks. */
    private static final long TAG = 0x4B53L << 48;
    private static final long SECONDS_MASK = (1L << 48) - 1;

    private final EtcdClient client;
    private final LongSupplier wallMillis;
    private final ConcurrentHashMap<Long, Boolean> granted = new ConcurrentHashMap<>();

    EtcdLeases(EtcdClient client, LongSupplier wallMillis) {
        this.client = client;
        this.wallMillis = wallMillis;
    }

    static long idFor(long expirySecond) {
        return TAG | (expirySecond & SECONDS_MASK);
    }

    /** The expiration (ms since the epoch) a lease of ours stands for; 0 for a foreign or absent lease. */
    static long expiresAtMillis(long leaseId) {
        return (leaseId & ~SECONDS_MASK) == TAG ? (leaseId & SECONDS_MASK) * 1000 : 0;
    }

    /** The lease for keys expiring at {@code expiresAtMillis} (rounded up to the second), granted if needed. */
    long leaseFor(long expiresAtMillis) {
        long second = (expiresAtMillis + 999) / 1000;
        long id = idFor(second);
        if (granted.containsKey(id)) {
            return id;
        }
        long ttl = Math.max(1, second - wallMillis.getAsLong() / 1000);
        try {
            client.leaseGrant(id, ttl);
        } catch (StatusRuntimeException e) {
            String d = e.getStatus().getDescription();
            if (!(d != null && d.contains("lease already exists"))) {
                throw e;
            }
        }
        granted.put(id, Boolean.TRUE);
        return id;
    }

    /** A transaction said a lease is gone (expired): grant it again next time. */
    void forget(long leaseId) {
        granted.remove(leaseId);
    }

    static boolean isLeaseNotFound(StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        return e.getStatus().getCode() == Status.Code.NOT_FOUND || (d != null && d.contains("lease not found"));
    }

    /** Drops leases whose second has passed (they expired in etcd). */
    void purge() {
        long nowSecond = wallMillis.getAsLong() / 1000;
        granted.keySet().removeIf(id -> (id & SECONDS_MASK) < nowSecond);
    }
}
