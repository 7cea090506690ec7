package dev.kubespan.discovery.server.internal.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.Blob;
import dev.kubespan.discovery.server.internal.state.ClusterEvent;

/** Conversions between the state's views and the protocol messages. */
final class Messages {
    private Messages() {
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
