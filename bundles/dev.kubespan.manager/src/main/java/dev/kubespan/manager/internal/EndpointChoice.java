package dev.kubespan.manager.internal;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;

/**
 * Which endpoint the manager puts into a peer's desired config. The status bundle owns endpoint
 * selection and rotation: it writes the chosen endpoint to the device itself and records it as
 * {@code lastUsedEndpoint}. The manager only re-asserts that choice (Talos' re-assert step,
 * kubespan-node.md §4.2.7) and otherwise leaves the device's endpoint alone (null).
 */
final class EndpointChoice {
    private EndpointChoice() {
    }

    /**
     * @param status the peer's status, or null when there is none yet
     * @param onDevice the endpoint the device reports for the peer now, or null
     */
    static Endpoint choose(KubeSpanPeerStatus status, Endpoint onDevice) {
        if (status == null || status.lastUsedEndpoint().isEmpty()) {
            return null;
        }
        Endpoint lastUsed;
        try {
            lastUsed = Endpoint.parse(status.lastUsedEndpoint());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!status.endpoint().isEmpty() && !sameEndpoint(status.endpoint(), lastUsed)) {
            return null; // WireGuard roamed: the roamed endpoint survives
        }
        if (onDevice != null && !onDevice.equals(lastUsed)) {
            // The device already moved on since the status was written (a rotation the status
            // bundle just made, or a roam): the fresher observation wins, never undo it here.
            return null;
        }
        return lastUsed;
    }

    private static boolean sameEndpoint(String text, Endpoint e) {
        try {
            return Endpoint.parse(text).equals(e);
        } catch (IllegalArgumentException ex) {
            return false;
        }
    }
}
