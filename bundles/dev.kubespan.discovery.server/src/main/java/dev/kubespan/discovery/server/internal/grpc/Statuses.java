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
            Status s = se.kind() == StateException.Kind.INVALID_ARGUMENT ? Status.INVALID_ARGUMENT
                    : Status.RESOURCE_EXHAUSTED;
            return s.withDescription(se.getMessage()).asRuntimeException();
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        return Status.INTERNAL.withDescription("internal error").withCause(e).asRuntimeException();
    }
}
