package dev.kubespan.status.internal;

import java.util.List;
import java.util.Optional;

/** Which candidate endpoint to try next (docs/kubespan-node.md §4.4). Endpoints are canonical {@code ip:port} text. */
final class EndpointRotation {
    private EndpointRotation() {
    }

    /**
     * @param candidates the peer's candidate endpoints, in order, already filtered
     * @param lastUsed the endpoint this node configured last, empty when none
     * @param actual the endpoint the device reports now, empty when none
     */
    static Optional<String> next(List<String> candidates, String lastUsed, String actual) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        if (lastUsed.isEmpty()) {
            return Optional.of(candidates.get(0));
        }
        // Nothing else to try, and it is already in place: re-applying would only reset T0,
        // and the manager keeps re-asserting it.
        if (candidates.size() == 1 && candidates.get(0).equals(lastUsed) && lastUsed.equals(actual)) {
            return Optional.empty();
        }
        int i = candidates.indexOf(lastUsed); // -1 when gone from the list: start over at the first
        return Optional.of(candidates.get((i + 1) % candidates.size()));
    }
}
