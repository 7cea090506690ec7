package dev.kubespan.api.spec;

import java.time.Instant;
import java.util.List;

/**
 * This node's public mapping of its WireGuard port (ns {@code kubespan}, id {@code wireguard}),
 * learned with STUN binding requests sent from that very port: what a NAT in front of this node
 * shows the internet, published as one more endpoint of this node.
 *
 * @param mappedEndpoint {@code ip:port}, empty while unknown
 * @param observed per STUN server {@code server=mapped}, or {@code server=error}
 * @param behaviour {@code endpoint-independent} (the same mapping toward every server),
 *            {@code endpoint-dependent} (symmetric NAT: a mapping per destination, useless to
 *            peers, so not published), or {@code unknown} (fewer than two answers)
 */
public record NatMapping(int localPort, String mappedEndpoint, List<String> observed, String behaviour, Instant checked,
        String error) {
    public static final String ID = "wireguard";

    public NatMapping {
        mappedEndpoint = Lists.text(mappedEndpoint);
        observed = Lists.copy(observed);
        behaviour = Lists.text(behaviour);
        checked = Times.orZero(checked);
        error = Lists.text(error);
    }

    public boolean publishable() {
        return !mappedEndpoint.isEmpty() && !"endpoint-dependent".equals(behaviour);
    }
}
