package dev.kubespan.discovery.server.internal.grpc;

import dev.kubespan.discovery.server.internal.state.StateException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps failures of the state to gRPC statuses; anything unexpected is INTERNAL. */
final class Statuses {
    private Statuses() {
    }

    static StatusRuntimeException of(RuntimeException e) {
        if (e instanceof StateException se) {
            Status s = switch (se.kind()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return s.withDescription(se.getMessage()).asRuntimeException();
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        return Status.INTERNAL.withDescription("internal error").withCause(e).asRuntimeException();
    }
}
