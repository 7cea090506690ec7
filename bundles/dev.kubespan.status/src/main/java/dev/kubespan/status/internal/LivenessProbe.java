package dev.kubespan.status.internal;

import java.io.IOException;
import java.net.InetAddress;

/**
 * Makes a silent peer say something: one small datagram into the tunnel, to the peer's KubeSpan
 * address. WireGuard answers every data packet it receives with a keepalive within 10 s when it
 * has nothing else to send (the protocol's passive keepalive), and a closed port answers at once
 * with an ICMP error; either reply is authenticated traffic from the peer, which only a live peer
 * can produce.
 */
interface LivenessProbe extends AutoCloseable {

    void send(InetAddress peerKubeSpanAddress) throws IOException;

    @Override
    void close();
}
