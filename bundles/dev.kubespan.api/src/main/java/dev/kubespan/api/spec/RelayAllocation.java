package dev.kubespan.api.spec;

import java.time.Instant;
import java.util.List;

/**
 * This node's TURN allocation (ns {@code kubespan}, id = the relay server {@code host:port}).
 *
 * @param state {@code allocating}, {@code allocated}, {@code failed}
 * @param relayedEndpoint the relayed transport address peers send to, published as one more
 *            endpoint of this node; empty without an allocation
 * @param proxies {@code local=peer}: the local UDP proxy through which WireGuard reaches each
 *            peer that came in through the relay
 * @param error why the relay is not usable (wrong credentials, refused, no answer), empty when fine
 */
public record RelayAllocation(String server, String state, String relayedEndpoint, String mappedEndpoint,
        Instant expires, List<String> permissions, List<String> proxies, String error) {
    public RelayAllocation {
        server = Lists.text(server);
        state = Lists.text(state);
        relayedEndpoint = Lists.text(relayedEndpoint);
        mappedEndpoint = Lists.text(mappedEndpoint);
        expires = Times.orZero(expires);
        permissions = Lists.copy(permissions);
        proxies = Lists.copy(proxies);
        error = Lists.text(error);
    }
}
