package dev.kubespan.api.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * How a node ranks the candidate endpoints of a peer: the most likely to work first — an address
 * on one of this node's own subnets, then public addresses (the peer's public mapping), then the
 * other private ones, and a TURN relay's address last (it always works, but costs a detour).
 * The order is stable within a rank, so the peer's own order breaks ties.
 */
public final class Candidates {
    public static final int SAME_SUBNET = 0;
    public static final int PUBLIC = 1;
    public static final int OTHER = 2;
    public static final int RELAY = 3;

    private Candidates() {
    }

    /**
     * @param ownPrefixes this node's addresses with their prefix lengths
     * @param relayHosts the IP literals of relay servers' relayed addresses (a relayed endpoint is on one)
     */
    public static int rank(Endpoint e, Collection<IpPrefix> ownPrefixes, Collection<String> relayHosts) {
        InetAddress a = e.address();
        if (relayHosts.contains(a.getHostAddress())) {
            return RELAY;
        }
        for (IpPrefix p : ownPrefixes) {
            if (!a.isLoopbackAddress() && p.bits() < p.maxBits() && p.contains(a)) {
                return SAME_SUBNET;
            }
        }
        return isPrivate(a) ? OTHER : PUBLIC;
    }

    public static List<Endpoint> order(List<Endpoint> candidates, Collection<IpPrefix> ownPrefixes,
            Collection<String> relayHosts) {
        List<Endpoint> out = new ArrayList<>(candidates);
        out.sort(Comparator.comparingInt(e -> rank(e, ownPrefixes, relayHosts)));
        return out;
    }

    /** RFC 1918, 100.64/10 (CGNAT), link-local, loopback, IPv6 ULA. */
    public static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
            return true;
        }
        if (b.length == 4) {
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        }
        return (b[0] & 0xfe) == 0xfc;
    }
}
