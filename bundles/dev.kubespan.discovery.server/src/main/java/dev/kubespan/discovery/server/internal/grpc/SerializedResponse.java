package dev.kubespan.discovery.server.internal.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import dev.kubespan.discovery.grpc.server.WatchResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * A Watch response already in wire form. One event is serialized once and its bytes go to
 * every watcher; consecutive events of the same kind are concatenated into one message, which
 * protobuf reads as one WatchResponse listing several affiliates (repeated fields concatenate).
 */
final class SerializedResponse {
    private final byte[] bytes;

    SerializedResponse(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The Watch response marshaller: takes a {@link WatchResponse} or a {@link SerializedResponse}. */
    static final MethodDescriptor.Marshaller<Object> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        private final MethodDescriptor.Marshaller<WatchResponse> proto = ProtoUtils
                .marshaller(WatchResponse.getDefaultInstance());

        @Override
        public InputStream stream(Object value) {
            if (value instanceof SerializedResponse s) {
                return new Bytes(s.bytes);
            }
            return proto.stream((WatchResponse) value);
        }

        @Override
        public Object parse(InputStream stream) {
            return proto.parse(stream);
        }
    };

    /** Lets the transport take the length and drain the array without copying it first. */
    private static final class Bytes extends ByteArrayInputStream implements KnownLength, Drainable {
        Bytes(byte[] b) {
            super(b);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
