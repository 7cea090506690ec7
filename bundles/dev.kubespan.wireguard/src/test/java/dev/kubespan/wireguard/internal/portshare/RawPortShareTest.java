package dev.kubespan.wireguard.internal.portshare;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.net.netlink.Libc;
import dev.kubespan.test.Netns;
import dev.kubespan.test.RecordingLog;

/**
 * The port share in a namespace of its own: a UDP socket holds the port (as WireGuard does); the
 * share still sends from that port and receives the STUN datagrams addressed to it, while the
 * owner keeps receiving everything, and other datagrams never reach the share.
 */
public class RawPortShareTest {
    private static final int SHARED = 51820;
    private Netns ns;

    @Before
    public void setUp() {
        ns = Netns.create("ks-nl-");
    }

    @After
    public void tearDown() {
        ns.close();
    }

    private static byte[] stun(int marker) {
        return ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0).putInt(RawPortShare.STUN_MAGIC_COOKIE)
                .putInt(marker).putInt(0).putInt(0).array();
    }

    @Test
    public void sendsFromTheOwnedPortAndReceivesOnlyStunAddressedToIt() throws Exception {
        ns.call(() -> {
            InetAddress lo = InetAddress.getLoopbackAddress();
            BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
            try (DatagramChannel owner = DatagramChannel.open().bind(new InetSocketAddress(SHARED));
                    DatagramChannel far = DatagramChannel.open().bind(new InetSocketAddress(lo, 3478));
                    RawPortShare share = new RawPortShare(Libc.get(), SHARED, (from, d) -> got.add(new Object[] {from, d}),
                            new RecordingLog())) {
                owner.configureBlocking(false);
                // out: the far end sees the shared port as the source
                share.send(new InetSocketAddress(lo, 3478), stun(7), 0);
                ByteBuffer in = ByteBuffer.allocate(100);
                InetSocketAddress src = (InetSocketAddress) far.receive(in);
                assertEquals(SHARED, src.getPort());
                assertArrayEquals(stun(7), java.util.Arrays.copyOf(in.array(), in.position()));

                // in: STUN to the shared port reaches the share, and the owner as well
                far.send(ByteBuffer.wrap(stun(8)), new InetSocketAddress(lo, SHARED));
                Object[] r = got.poll(5, TimeUnit.SECONDS);
                assertEquals(new InetSocketAddress(lo, 3478), r[0]);
                assertArrayEquals(stun(8), (byte[]) r[1]);
                // WireGuard-like traffic and STUN to another port stay away from the share
                far.send(ByteBuffer.wrap(new byte[] {4, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}), new InetSocketAddress(lo, SHARED));
                far.send(ByteBuffer.wrap(stun(9)), new InetSocketAddress(lo, SHARED + 1));
                assertNull("only STUN to the shared port", got.poll(700, TimeUnit.MILLISECONDS));
                int owned = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (owned < 2 && System.nanoTime() < deadline) {
                    ByteBuffer b = ByteBuffer.allocate(100);
                    if (owner.receive(b) != null) {
                        owned++;
                    } else {
                        Thread.sleep(20);
                    }
                }
                assertEquals("the owner of the port still gets both", 2, owned);

                // a low hop limit is accepted (it only matters past a router)
                share.send(new InetSocketAddress(lo, 3478), stun(10), 2);
                in.clear();
                far.receive(in);
                assertTrue(in.position() == 20);
            }
            return null;
        });
    }
}
