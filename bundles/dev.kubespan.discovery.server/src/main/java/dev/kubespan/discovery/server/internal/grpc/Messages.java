package dev.kubespan.discovery.server.internal.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.Blob;
import dev.kubespan.discovery.server.internal.state.ClusterEvent;
import io.grpc.Status;

/** Conversions between the state's views and the protocol messages. */
final class Messages {
    private Messages() {
    }

    private static final int MAX_NANOS = 999_999_999;

    /**
     * A request's TTL as a Duration. The protobuf type allows negative values and any int64 of
     * seconds (and a client may send nanos outside its range); none of that is a lifetime, and
     * Duration arithmetic on the extremes overflows, so anything negative or malformed is refused
     * here with INVALID_ARGUMENT. The upper limit is the state's.
     */
    static java.time.Duration ttl(com.google.protobuf.Duration ttl) {
        long seconds = ttl.getSeconds();
        int nanos = ttl.getNanos();
        if (nanos < 0 || nanos > MAX_NANOS) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("TTL nanos " + nanos + " out of range 0.." + MAX_NANOS).asRuntimeException();
        }
        if (seconds < 0) {
            throw Status.INVALID_ARGUMENT.withDescription("TTL must not be negative, got " + seconds + " s")
                    .asRuntimeException();
        }
        return java.time.Duration.ofSeconds(seconds, nanos);
    }

    static ByteString bytes(Blob b) {
        // Blobs are immutable, so the message may share their array.
        return b.isEmpty() ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(b.unsafeBytes());
    }

    static Affiliate affiliate(AffiliateView a) {
        Affiliate.Builder b = Affiliate.newBuilder().setId(a.id()).setData(bytes(a.data()));
        for (Blob e : a.endpoints()) {
            b.addEndpoints(bytes(e));
        }
        return b.build();
    }

    /** One event as a serialized WatchResponse (computed once per event, see {@link ClusterEvent#wireForm}). */
    static byte[] watchResponseBytes(ClusterEvent event) {
        return watchResponse(event).toByteArray();
    }

    static WatchResponse watchResponse(ClusterEvent event) {
        if (event.isDeleted()) {
            return WatchResponse.newBuilder().setDeleted(true)
                    .addAffiliates(Affiliate.newBuilder().setId(event.id())).build();
        }
        return WatchResponse.newBuilder().addAffiliates(affiliate(event.affiliate())).build();
    }
}
