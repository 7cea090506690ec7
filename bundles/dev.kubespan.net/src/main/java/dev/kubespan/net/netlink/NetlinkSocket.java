package dev.kubespan.net.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;

import dev.kubespan.api.net.NetworkException;

/**
 * One netlink socket (close-on-exec, receive timeout, extended ACKs, capped ACKs). Requests are
 * serialized: {@link #request} sends one message and collects its replies before the next
 * request may start, so one socket can be shared by several threads. {@link #close()} waits for
 * a running request, so the descriptor is never closed (and reused) under a blocked receive.
 * The kernel never closes the socket for us: always close it (in {@code @Deactivate}).
 */
public final class NetlinkSocket implements AutoCloseable {
    /** How long a request waits for the kernel before failing with EAGAIN. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int INITIAL_BUFFER = 64 * 1024;
    private static final int MULTICAST_RCVBUF = 1024 * 1024;
    private static final int DUMP_ATTEMPTS = 3;

    private final Libc libc;
    private final int protocol;
    private final int portId;
    private volatile int fd;
    private Memory buffer;
    private long bufferSize;
    private int nextSeq = 1;

    private NetlinkSocket(Libc libc, int protocol, int fd, int portId) {
        this.libc = libc;
        this.protocol = protocol;
        this.fd = fd;
        this.portId = portId;
        this.bufferSize = INITIAL_BUFFER;
        this.buffer = new Memory(bufferSize);
    }

    /** A socket for requests (NETLINK_ROUTE or NETLINK_GENERIC). */
    public static NetlinkSocket open(int protocol) {
        return open(protocol, 0, REQUEST_TIMEOUT);
    }

    /**
     * A socket bound to multicast {@code groups} (an RTMGRP_* bit mask). {@link #receive()}
     * returns after at most {@code timeout}, so a reader thread can notice it should stop.
     */
    public static NetlinkSocket subscribe(int protocol, int groups, Duration timeout) {
        return open(protocol, groups, timeout);
    }

    private static NetlinkSocket open(int protocol, int groups, Duration timeout) {
        Libc libc = Libc.get();
        int fd = libc.socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC, protocol);
        try {
            libc.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVTIMEO, timeval(timeout));
            libc.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, int32(1));
            libc.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, int32(1));
            if (groups != 0) {
                // A burst of changes (many links at boot) must not overflow into ENOBUFS.
                libc.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, int32(MULTICAST_RCVBUF));
            }
            libc.bind(fd, sockaddr(groups));
            byte[] self = libc.getsockname(fd, 12);
            int portId = ByteBuffer.wrap(self).order(ByteOrder.nativeOrder()).getInt(4);
            return new NetlinkSocket(libc, protocol, fd, portId);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    public int protocol() {
        return protocol;
    }

    /** The kernel-assigned port id (nl_pid) of this socket. */
    public int portId() {
        return portId;
    }

    /**
     * Sends {@code request} and returns its data replies: the messages of a dump up to NLMSG_DONE,
     * or, for other requests, whatever came before the ACK. A dump the
     * kernel marks as interrupted is repeated.
     *
     * @throws NetworkException with the kernel's errno and ext-ack text, or EAGAIN on timeout
     */
    public synchronized List<NetlinkMessage> request(NetlinkRequest request) {
        for (int attempt = 1;; attempt++) {
            NetlinkReplies replies = exchange(request);
            if (!replies.isInterrupted() || attempt >= DUMP_ATTEMPTS) {
                return replies.messages();
            }
        }
    }

    /** Like {@link #request}, for requests whose only answer is the ACK. */
    public void execute(NetlinkRequest request) {
        request(request);
    }

    /**
     * Reads the next datagram of multicast notifications; empty when the receive timed out.
     *
     * @throws NetworkException ENOBUFS when notifications were lost (re-read the state)
     */
    public synchronized List<NetlinkMessage> receive() {
        ensureOpen();
        try {
            byte[] datagram = receiveDatagram();
            return NetlinkMessage.parseAll(datagram, datagram.length);
        } catch (NetworkException e) {
            if (e.errno() == Errno.EAGAIN) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * Makes a {@link #receive()} blocked on another thread return now, by sending an NLMSG_NOOP
     * to this socket's own port. Not serialized with receive, on purpose. Sending to a port
     * needs CAP_NET_ADMIN; without it the receive still returns at its timeout.
     */
    public void wakeUp() {
        int current = fd;
        if (current < 0) {
            return;
        }
        byte[] noop = ByteBuffer.allocate(Netlink.NLMSG_HDRLEN).order(ByteOrder.nativeOrder())
                .putInt(Netlink.NLMSG_HDRLEN).putShort((short) Netlink.NLMSG_NOOP).putShort((short) 0).putInt(0)
                .putInt(portId).array();
        byte[] self = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                .putShort((short) Netlink.AF_NETLINK).putShort((short) 0).putInt(portId).putInt(0).array();
        try {
            libc.sendto(current, noop, 0, self);
        } catch (NetworkException e) {
            // no privilege or already closing: the receive timeout ends the wait instead
        }
    }

    @Override
    public synchronized void close() {
        if (fd < 0) {
            return;
        }
        int closing = fd;
        fd = -1;
        buffer.close();
        libc.close(closing);
    }

    public synchronized boolean isOpen() {
        return fd >= 0;
    }

    private NetlinkReplies exchange(NetlinkRequest request) {
        ensureOpen();
        int seq = nextSeq++;
        byte[] message = request.encode(seq, 0);
        libc.sendto(fd, message, 0, sockaddr(0));
        NetlinkReplies replies = new NetlinkReplies(request, seq);
        while (true) {
            byte[] datagram;
            try {
                datagram = receiveDatagram();
            } catch (NetworkException e) {
                if (e.errno() == Errno.EAGAIN) {
                    throw new NetworkException(request.description() + ": the kernel did not answer within "
                            + REQUEST_TIMEOUT.toSeconds() + " s", Errno.EAGAIN);
                }
                throw e;
            }
            for (NetlinkMessage m : NetlinkMessage.parseAll(datagram, datagram.length)) {
                if (replies.accept(m)) {
                    return replies;
                }
            }
        }
    }

    private byte[] receiveDatagram() {
        long size = libc.recv(fd, buffer, bufferSize, Netlink.MSG_PEEK | Netlink.MSG_TRUNC);
        if (size > bufferSize) {
            buffer.close();
            bufferSize = Netlink.align((int) size);
            buffer = new Memory(bufferSize);
        }
        long n = libc.recv(fd, buffer, bufferSize, 0);
        return buffer.getByteArray(0, (int) n);
    }

    private void ensureOpen() {
        if (fd < 0) {
            throw new NetworkException("netlink socket is closed", Errno.EBADF);
        }
    }

    /** {@code struct sockaddr_nl {u16 family, u16 pad, u32 pid, u32 groups}}. */
    private static byte[] sockaddr(int groups) {
        return ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                .putShort((short) Netlink.AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups).array();
    }

    /** {@code struct timeval {long sec, long usec}}, with the platform's C long. */
    private static byte[] timeval(Duration d) {
        ByteBuffer b = ByteBuffer.allocate(2 * NativeLong.SIZE).order(ByteOrder.nativeOrder());
        if (NativeLong.SIZE == 8) {
            b.putLong(d.toSeconds()).putLong(d.toMillisPart() * 1000L);
        } else {
            b.putInt((int) d.toSeconds()).putInt(d.toMillisPart() * 1000);
        }
        return b.array();
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
