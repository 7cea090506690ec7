package dev.kubespan.wireguard.internal.portshare;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.api.wireguard.WireGuardPort;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.Libc;

/**
 * One shared UDP port over raw sockets ({@code SOCK_RAW}, {@code IPPROTO_UDP}), one per address
 * family. Sending: the raw socket carries a UDP header written here with the shared port as its
 * source, so the packet is, to every NAT on the way, one more packet of WireGuard's own flow.
 * Receiving: a raw UDP socket gets a copy of every UDP datagram the host receives (after the
 * kernel undid any NAT of this host), alongside the normal delivery to WireGuard's socket; a
 * classic BPF filter attached in the kernel keeps only those addressed to the shared port that
 * carry the STUN magic cookie, so WireGuard's own traffic never crosses into Java.
 *
 * <p>Needs CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN (SO_MARK), as the agent has. Works the
 * same whether the port belongs to wireguard-go or to kernel WireGuard: neither is touched.
 */
final class RawPortShare implements WireGuardPort.Share {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_IPV6 = 41;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_MARK = 36;
    private static final int IP_TTL = 2;
    private static final int IPV6_CHECKSUM = 7;
    private static final int IPV6_UNICAST_HOPS = 16;
    static final int STUN_MAGIC_COOKIE = 0x2112A442;
    private static final int DEFAULT_HOPS = -1;
    private static final int MAX_DATAGRAM = 65535;

    private final Libc libc;
    private final int port;
    private final WireGuardPort.Receiver receiver;
    private final Log log;
    private final int fd4;
    private final int fd6;
    private final Object sendLock = new Object();
    private final Thread[] readers = new Thread[2];
    private volatile boolean closed;
    private int hops4 = DEFAULT_HOPS;
    private int hops6 = DEFAULT_HOPS;

    RawPortShare(Libc libc, int port, WireGuardPort.Receiver receiver, Log log) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        this.libc = libc;
        this.port = port;
        this.receiver = receiver;
        this.log = log;
        this.fd4 = open(AF_INET);
        int v6;
        try {
            v6 = open(AF_INET6);
        } catch (WireGuardException e) {
            log.info("port share " + port + ": IPv6 unavailable, IPv4 only: " + e.getMessage());
            v6 = -1;
        }
        this.fd6 = v6;
        readers[0] = reader(fd4, AF_INET);
        readers[1] = fd6 < 0 ? null : reader(fd6, AF_INET6);
    }

    private int open(int family) {
        int fd;
        try {
            fd = libc.socket(family, SOCK_RAW, IPPROTO_UDP);
        } catch (NetworkException e) {
            throw new WireGuardException("cannot open a raw UDP socket to share port " + port
                    + " (needs CAP_NET_RAW): " + e.getMessage(), e);
        }
        try {
            libc.setsockopt(fd, SOL_SOCKET, SO_MARK, intValue(KubeSpanConfig.WIREGUARD_FWMARK));
            libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval(250_000));
            if (family == AF_INET6) {
                // the kernel computes the UDP checksum (mandatory over IPv6) at this offset of what we write
                libc.setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, intValue(6));
            }
            attachFilter(fd, family == AF_INET ? StunFilter.ipv4(port) : StunFilter.ipv6(port));
            return fd;
        } catch (NetworkException e) {
            libc.close(fd);
            throw new WireGuardException("cannot prepare the raw UDP socket for port " + port + ": " + e.getMessage(), e);
        }
    }

    private void attachFilter(int fd, long[] program) {
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } ; struct sock_fprog { u16 len; sock_filter *filter; }
        Memory filter = new Memory(8L * program.length);
        for (int i = 0; i < program.length; i++) {
            long insn = program[i];
            filter.setShort(8L * i, (short) (insn >>> 48));
            filter.setByte(8L * i + 2, (byte) (insn >>> 40));
            filter.setByte(8L * i + 3, (byte) (insn >>> 32));
            filter.setInt(8L * i + 4, (int) insn);
        }
        Memory fprog = new Memory(Native.POINTER_SIZE * 2L);
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(Native.POINTER_SIZE, filter);
        libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, Native.POINTER_SIZE * 2);
    }

    private Thread reader(int fd, int family) {
        Thread t = new Thread(() -> read(fd, family), "kubespan-portshare-" + port + (family == AF_INET ? "-v4" : "-v6"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void read(int fd, int family) {
        byte[] buffer = new byte[MAX_DATAGRAM];
        byte[] address = new byte[28];
        int[] addressLength = new int[1];
        while (!closed) {
            long n;
            try {
                n = libc.recvfrom(fd, buffer, 0, address, addressLength);
            } catch (NetworkException e) {
                if (closed) {
                    return;
                }
                if (e.errno() == Errno.EAGAIN) {
                    continue; // the receive timeout: a chance to notice close()
                }
                log.warn("port share " + port + ": receive failed, stopping", e);
                return;
            }
            try {
                InetSocketAddress from;
                try {
                    from = family == AF_INET ? parse4(buffer, (int) n) : parse6(buffer, (int) n, address);
                } catch (UnknownHostException e) {
                    continue;
                }
                if (from != null) {
                    int offset = family == AF_INET ? 4 * (buffer[0] & 0x0f) + 8 : 8;
                    byte[] datagram = java.util.Arrays.copyOfRange(buffer, offset, (int) n);
                    receiver.received(from, datagram);
                }
            } catch (RuntimeException e) {
                log.warn("port share " + port + ": a received datagram was dropped", e);
            }
        }
    }

    /** IPv4 raw sockets deliver the IP header; the filter guarantees a UDP header to the shared port. */
    private static InetSocketAddress parse4(byte[] p, int n) throws UnknownHostException {
        int ihl = 4 * (p[0] & 0x0f);
        if (n < ihl + 8) {
            return null;
        }
        InetAddress src = InetAddress.getByAddress(java.util.Arrays.copyOfRange(p, 12, 16));
        int srcPort = ((p[ihl] & 0xff) << 8) | (p[ihl + 1] & 0xff);
        return new InetSocketAddress(src, srcPort);
    }

    /** IPv6 raw sockets deliver from the UDP header on; the sender comes from recvfrom's sockaddr_in6. */
    private static InetSocketAddress parse6(byte[] p, int n, byte[] sockaddr) throws UnknownHostException {
        if (n < 8) {
            return null;
        }
        InetAddress src = InetAddress.getByAddress(java.util.Arrays.copyOfRange(sockaddr, 8, 24));
        int srcPort = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
        return new InetSocketAddress(src, srcPort);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void send(InetSocketAddress to, byte[] datagram, int hopLimit) {
        if (closed) {
            throw new IllegalStateException("port share " + port + " is closed");
        }
        InetAddress dst = to.getAddress();
        boolean v4 = dst instanceof Inet4Address;
        if (!v4 && fd6 < 0) {
            throw new UncheckedIOException(new java.io.IOException("no IPv6 raw socket to reach " + to));
        }
        ByteBuffer udp = ByteBuffer.allocate(8 + datagram.length).order(ByteOrder.BIG_ENDIAN);
        // checksum 0: none over IPv4 (RFC 768); over IPv6 the kernel fills it in (IPV6_CHECKSUM)
        udp.putShort((short) port).putShort((short) to.getPort()).putShort((short) (8 + datagram.length)).putShort((short) 0)
                .put(datagram);
        synchronized (sendLock) {
            try {
                int fd = v4 ? fd4 : fd6;
                int hops = hopLimit > 0 ? hopLimit : DEFAULT_HOPS;
                if (v4 && hops != hops4) {
                    libc.setsockopt(fd, IPPROTO_IP, IP_TTL, intValue(hops < 0 ? 64 : hops));
                    hops4 = hops;
                } else if (!v4 && hops != hops6) {
                    libc.setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, intValue(hops));
                    hops6 = hops;
                }
                libc.sendto(fd, udp.array(), 0, sockaddr(dst));
            } catch (NetworkException e) {
                throw new UncheckedIOException(new java.io.IOException("sending from port " + port + " to " + to
                        + " failed: " + e.getMessage(), e));
            }
        }
    }

    /** The destination for a raw socket: the port field stays 0 (the UDP header carries the port). */
    private static byte[] sockaddr(InetAddress a) {
        if (a instanceof Inet4Address) {
            ByteBuffer b = ByteBuffer.allocate(16);
            b.order(ByteOrder.nativeOrder()).putShort((short) AF_INET);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).put(a.getAddress());
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(28);
        b.order(ByteOrder.nativeOrder()).putShort((short) AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).putInt(0).put(a.getAddress());
        b.order(ByteOrder.nativeOrder()).putInt(((java.net.Inet6Address) a).getScopeId());
        return b.array();
    }

    private static byte[] intValue(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] timeval(long micros) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(micros / 1_000_000).putLong(micros % 1_000_000)
                .array();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread t : readers) {
            if (t != null) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        libc.close(fd4);
        if (fd6 >= 0) {
            libc.close(fd6);
        }
    }
}
