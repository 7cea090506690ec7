package dev.kubespan.api.spec;

import java.time.Instant;

/**
 * Health of one registry connection (ns {@code cluster}, id e.g. {@code service/<name>} or
 * {@code kubernetes}), so errors are visible in the shell rather than only in logs.
 *
 */
public record RegistryStatus(String registry, String endpoint, ConnectionState state, int affiliates, String lastError,
        Instant lastErrorTime) {
    public RegistryStatus {
        registry = Lists.text(registry);
        endpoint = Lists.text(endpoint);
        state = state == null ? ConnectionState.CONNECTING : state;
        lastError = Lists.text(lastError);
        lastErrorTime = Times.orZero(lastErrorTime);
    }
}
