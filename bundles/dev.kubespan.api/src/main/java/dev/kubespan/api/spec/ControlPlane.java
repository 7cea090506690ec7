package dev.kubespan.api.spec;

/** Present on control-plane affiliates: the Kubernetes API server port. */
public record ControlPlane(int port) {
}
