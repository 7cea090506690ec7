package dev.kubespan.status.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * {@link LivenessProbe} over UDP to the discard port (9) of the peer's KubeSpan address: nothing
 * listens there, so the peer's stack answers with an ICMP port-unreachable (rate-limited by the
 * kernel) and WireGuard with a passive keepalive. The address is routed into the KubeSpan link,
 * so the datagram is sealed for exactly that peer; it never leaves in clear.
 */
final class UdpLivenessProbe implements LivenessProbe {
    static final int DISCARD_PORT = 9;

    private DatagramChannel channel;

    @Override
    public synchronized void send(InetAddress peerKubeSpanAddress) throws IOException {
        if (channel == null) {
            channel = DatagramChannel.open();
        }
        channel.send(ByteBuffer.wrap(new byte[] { 0 }), new InetSocketAddress(peerKubeSpanAddress, DISCARD_PORT));
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing: nothing left to do with it
            }
            channel = null;
        }
    }
}
