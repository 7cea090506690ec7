package dev.kubespan.nat.internal.relay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.Test;

import dev.kubespan.nat.internal.stun.TurnCredentials;
import dev.kubespan.test.RecordingLog;

/**
 * {@link TurnRelay} against a real coturn on loopback: allocation with the TURN REST scheme,
 * permission, a peer's datagrams through the relay to the "WireGuard" socket behind the proxy and
 * back (Send indication first, ChannelData once bound), garbage from the network dropped, and the
 * three failures an operator must tell apart: wrong credentials, a refused allocation and a dead
 * server.
 */
public class TurnRelayTest {
    private final RecordingLog log = new RecordingLog();

    private static TurnRelay.State await(TurnRelay relay, Predicate<TurnRelay.State> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            TurnRelay.State s = relay.state();
            if (s != null && done.test(s)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not reached: " + what + "; last state " + relay.state());
    }

    private static byte[] receive(DatagramChannel c, InetSocketAddress[] from) throws Exception {
        c.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(2000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            InetSocketAddress src = (InetSocketAddress) c.receive(b);
            if (src != null) {
                if (from != null) {
                    from[0] = src;
                }
                return java.util.Arrays.copyOf(b.array(), b.position());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("nothing received on " + c.getLocalAddress());
    }

    @Test
    public void relaysBothWaysThroughTheProxyAndDropsGarbage() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (Coturn coturn = new Coturn("s3cret-for-test");
                DatagramChannel wireGuard = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
                DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
                TurnRelay relay = new TurnRelay(coturn.address(), () -> TurnCredentials.fromSharedSecret(coturn.secret,
                        "node-a", Instant.now(), Duration.ofHours(1)),
                        ((InetSocketAddress) wireGuard.getLocalAddress()).getPort(), log, Clock.systemUTC(), () -> {
                        })) {
            TurnRelay.State s = await(relay, x -> x.relayed() != null, "an allocation");
            assertEquals("allocated", s.phase());
            assertTrue(s.relayed().getPort() >= 40000 && s.relayed().getPort() <= 40999);
            relay.permit(Set.of(lo));
            await(relay, x -> x.permissions().contains("127.0.0.1"), "a permission for the peer");
            Thread.sleep(200); // the permission's answer

            // garbage to the relayed address and straight at the client is dropped, nothing breaks
            peer.send(ByteBuffer.wrap(new byte[] {0x00, 0x01, 0x00, 0x08, 1, 2, 3}), s.relayed());

            // the peer sends to the relayed address: WireGuard gets it from a local proxy
            peer.send(ByteBuffer.wrap("handshake".getBytes()), s.relayed());
            InetSocketAddress[] proxy = new InetSocketAddress[1];
            byte[] got = receive(wireGuard, proxy);
            // the garbage was handed on as data, as the relay forwards whatever the peer sent
            if (got.length == 7) {
                got = receive(wireGuard, proxy);
            }
            assertArrayEquals("handshake".getBytes(), got);
            assertEquals(lo, proxy[0].getAddress());
            TurnRelay.State withProxy = await(relay, x -> !x.proxies().isEmpty(), "the proxy in the state");
            assertEquals(peer.getLocalAddress(), withProxy.proxies().get(proxy[0]));

            // WireGuard answers the proxy: the peer gets it from the relayed address
            wireGuard.send(ByteBuffer.wrap("response".getBytes()), proxy[0]);
            InetSocketAddress[] src = new InetSocketAddress[1];
            assertArrayEquals("response".getBytes(), receive(peer, src));
            assertEquals(s.relayed(), src[0]);

            // after the channel binding, the same path works on ChannelData
            Thread.sleep(300);
            for (int i = 0; i < 3; i++) {
                wireGuard.send(ByteBuffer.wrap(("data" + i).getBytes()), proxy[0]);
                assertArrayEquals(("data" + i).getBytes(), receive(peer, null));
                peer.send(ByteBuffer.wrap(("back" + i).getBytes()), s.relayed());
                assertArrayEquals(("back" + i).getBytes(), receive(wireGuard, null));
            }
            assertTrue(coturn.log(), coturn.log().contains("CHANNEL_BIND processed, success"));
            assertEquals("", relay.state().error());
        }
    }

    @Test
    public void wrongCredentialsAreAClearErrorAndNoAllocation() throws Exception {
        try (Coturn coturn = new Coturn("the-real-secret");
                TurnRelay relay = new TurnRelay(coturn.address(), () -> TurnCredentials.fromSharedSecret("a-wrong-secret",
                        "node-a", Instant.now(), Duration.ofHours(1)), 51820, log, Clock.systemUTC(), () -> {
                        })) {
            TurnRelay.State s = await(relay, x -> !x.error().isEmpty(), "an error");
            assertEquals("failed", s.phase());
            assertTrue(s.error(), s.error().contains("401") && s.error().contains("credentials"));
            assertEquals(null, s.relayed());
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("a-wrong-secret")));
            assertSameErrorAfterRetries(relay, s.error());
        }
    }

    @Test
    public void aRefusedAllocationIsAClearError() throws Exception {
        try (Coturn coturn = new Coturn("s3cret", "--no-udp-relay");
                TurnRelay relay = new TurnRelay(coturn.address(), () -> TurnCredentials.fromSharedSecret("s3cret", "node-a",
                        Instant.now(), Duration.ofHours(1)), 51820, log, Clock.systemUTC(), () -> {
                        })) {
            TurnRelay.State s = await(relay, x -> !x.error().isEmpty(), "an error");
            assertTrue(s.error(), s.error().startsWith("Allocate refused: 442"));
            assertSameErrorAfterRetries(relay, s.error());
        }
    }

    /**
     * The retries (backoff from 1 s) keep showing the real reason: coturn ties a socket's session to
     * the first username, and a retry under a fresh TURN REST username got 437 "Allocation mismatch".
     */
    private void assertSameErrorAfterRetries(TurnRelay relay, String first) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < deadline) {
            assertEquals(first, relay.state().error());
            Thread.sleep(100);
        }
        assertTrue("retried: " + log.lines(), log.count(l -> l.contains("Allocate refused: 437")) == 0);
    }

    @Test
    public void aDeadServerIsAClearError() throws Exception {
        InetSocketAddress nobody;
        try (DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            nobody = (InetSocketAddress) c.getLocalAddress();
        }
        try (TurnRelay relay = new TurnRelay(nobody, () -> new TurnCredentials("u", "p"), 51820, log, Clock.systemUTC(),
                () -> {
                })) {
            TurnRelay.State s = await(relay, x -> !x.error().isEmpty(), "an error");
            assertNotNull(s.error());
            assertTrue(s.error(), s.error().contains("does not listen") || s.error().contains("no answer"));
        }
    }
}
