package dev.kubespan.discovery.server.internal.grpc;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.server.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;

public class SerializedResponseTest {
    private static byte[] event(String id) {
        return WatchResponse.newBuilder().addAffiliates(Affiliate.newBuilder().setId(id)
                .setData(ByteString.copyFromUtf8("data of " + id))).build().toByteArray();
    }

    private static SerializedResponse batch(int n) {
        List<byte[]> parts = new ArrayList<>();
        int length = 0;
        for (int i = 0; i < n; i++) {
            byte[] b = event("node-" + i);
            parts.add(b);
            length += b.length;
        }
        return new SerializedResponse(parts, length);
    }

    private static List<String> ids(WatchResponse r) {
        return r.getAffiliatesList().stream().map(Affiliate::getId).toList();
    }

    @Test
    public void drainedBatchIsOneWatchResponseListingEveryEvent() throws Exception {
        InputStream in = SerializedResponse.MARSHALLER.stream(batch(3));
        int length = ((KnownLength) in).available();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(length, ((Drainable) in).drainTo(out));
        assertEquals(length, out.size());
        assertEquals(0, in.available());
        assertEquals(List.of("node-0", "node-1", "node-2"), ids(WatchResponse.parseFrom(out.toByteArray())));
    }

    @Test
    public void batchReadInSmallPiecesGivesTheSameBytes() throws Exception {
        InputStream in = SerializedResponse.MARSHALLER.stream(batch(5));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] piece = new byte[7]; // smaller than one event: reads cross the parts
        int n;
        while ((n = in.read(piece, 0, piece.length)) > 0) {
            out.write(piece, 0, n);
        }
        assertEquals(-1, in.read());
        assertEquals(List.of("node-0", "node-1", "node-2", "node-3", "node-4"),
                ids(WatchResponse.parseFrom(out.toByteArray())));
        InputStream single = SerializedResponse.MARSHALLER.stream(batch(2));
        ByteArrayOutputStream bytewise = new ByteArrayOutputStream();
        int b;
        while ((b = single.read()) >= 0) {
            bytewise.write(b);
        }
        assertEquals(List.of("node-0", "node-1"), ids(WatchResponse.parseFrom(bytewise.toByteArray())));
    }
}
