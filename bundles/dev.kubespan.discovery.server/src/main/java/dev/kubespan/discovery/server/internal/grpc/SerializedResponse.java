package dev.kubespan.discovery.server.internal.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

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
    /** The serialized events, in order; the message is their concatenation (never copied into one array). */
    private final List<byte[]> parts;
    private final int length;

    SerializedResponse(byte[] bytes) {
        this(List.of(bytes), bytes.length);
    }

    SerializedResponse(List<byte[]> parts, int length) {
        this.parts = parts;
        this.length = length;
    }

    /** The Watch response marshaller: takes a {@link WatchResponse} or a {@link SerializedResponse}. */
    static final MethodDescriptor.Marshaller<Object> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        private final MethodDescriptor.Marshaller<WatchResponse> proto = ProtoUtils
                .marshaller(WatchResponse.getDefaultInstance());

        @Override
        public InputStream stream(Object value) {
            if (value instanceof SerializedResponse s) {
                return new Parts(s.parts, s.length);
            }
            return proto.stream((WatchResponse) value);
        }

        @Override
        public Object parse(InputStream stream) {
            return proto.parse(stream);
        }
    };

    /** Lets the transport take the length and drain the parts without copying them into one array first. */
    private static final class Parts extends InputStream implements KnownLength, Drainable {
        private final List<byte[]> parts;
        private int part;
        private int pos;
        private int left;

        Parts(List<byte[]> parts, int length) {
            this.parts = parts;
            this.left = length;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = left;
            for (; part < parts.size(); part++, pos = 0) {
                byte[] b = parts.get(part);
                target.write(b, pos, b.length - pos);
            }
            left = 0;
            return n;
        }

        @Override
        public int available() {
            return left;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int done = 0;
            while (done < len && part < parts.size()) {
                byte[] b = parts.get(part);
                int n = Math.min(len - done, b.length - pos);
                System.arraycopy(b, pos, into, off + done, n);
                done += n;
                pos += n;
                if (pos == b.length) {
                    part++;
                    pos = 0;
                }
            }
            left -= done;
            return done;
        }
    }
}
