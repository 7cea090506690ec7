package dev.kubespan.api.spec;

import java.util.List;

/**
 * NAT traversal settings (ns {@code config}, id {@code nat}), from the {@code KubeSpanNATConfig}
 * document or the ConfigAdmin keys {@code nat.*}: where to learn this node's public mapping
 * (STUN) and which TURN relays to use when no direct path exists. Relay credentials are either the
 * TURN REST shared secret or a long-term username and password; no open relay is ever used.
 *
 * @param stunServers {@code host:port}; empty means the relay servers
 * @param relayServers {@code host:port} of TURN servers (UDP), tried in order
 */
public record NatConfig(List<String> stunServers, List<String> relayServers, String relayUsername, String relayPassword,
        String relaySharedSecret) {
    public static final String ID = "nat";

    public NatConfig {
        stunServers = Lists.copy(stunServers);
        relayServers = Lists.copy(relayServers);
        relayUsername = Lists.text(relayUsername);
        relayPassword = Lists.text(relayPassword);
        relaySharedSecret = Lists.text(relaySharedSecret);
    }

    public static NatConfig none() {
        return new NatConfig(List.of(), List.of(), "", "", "");
    }

    /** The STUN servers in force: the configured ones, else the relays (coturn answers STUN too). */
    public List<String> effectiveStunServers() {
        return stunServers.isEmpty() ? relayServers : stunServers;
    }

    /** Whether a relay can be used: a server and credentials. */
    public boolean relayEnabled() {
        return !relayServers.isEmpty() && (!relaySharedSecret.isEmpty() || !relayUsername.isEmpty());
    }

    /** The host part of each relay server, as written ({@code [v6]} without brackets). */
    public List<String> relayHosts() {
        return relayServers.stream().map(NatConfig::host).toList();
    }

    public static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String h = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** Never shows the relay password or shared secret. */
    @Override
    public String toString() {
        return "NatConfig[stunServers=" + stunServers + ", relayServers=" + relayServers + ", relayUsername="
                + relayUsername + ", relayPassword=" + (relayPassword.isEmpty() ? "" : "<redacted>")
                + ", relaySharedSecret=" + (relaySharedSecret.isEmpty() ? "" : "<redacted>") + "]";
    }
}
