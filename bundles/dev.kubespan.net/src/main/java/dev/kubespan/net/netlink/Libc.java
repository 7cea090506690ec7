package dev.kubespan.net.netlink;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import dev.kubespan.api.net.NetworkException;

/**
 * The few libc calls this bundle needs (netlink, and signals to the wireguard-go it supervises), made as dynamic JNA {@link Function} calls. Interface or
 * direct mapping ({@code Native.load}/{@code Native.register}) would pin this bundle's class
 * loader in JNA's static option cache on every hot update; dynamic calls hold no reference to
 * our classes. A failed call throws {@link NetworkException} carrying the positive errno.
 */
public final class Libc {
    private static volatile Libc instance;

    private final Function socket;
    private final Function bind;
    private final Function setsockopt;
    private final Function getsockname;
    private final Function sendto;
    private final Function recv;
    private final Function recvfrom;
    private final Function close;
    private final Function open;
    private final Function setns;
    private final Function kill;

    private Libc() {
        NativeLibrary c = NativeLibrary.getInstance("c");
        socket = c.getFunction("socket", Function.THROW_LAST_ERROR);
        bind = c.getFunction("bind", Function.THROW_LAST_ERROR);
        setsockopt = c.getFunction("setsockopt", Function.THROW_LAST_ERROR);
        getsockname = c.getFunction("getsockname", Function.THROW_LAST_ERROR);
        sendto = c.getFunction("sendto", Function.THROW_LAST_ERROR);
        recv = c.getFunction("recv", Function.THROW_LAST_ERROR);
        recvfrom = c.getFunction("recvfrom", Function.THROW_LAST_ERROR);
        close = c.getFunction("close", Function.THROW_LAST_ERROR);
        open = c.getFunction("open", Function.THROW_LAST_ERROR);
        setns = c.getFunction("setns", Function.THROW_LAST_ERROR);
        kill = c.getFunction("kill", Function.THROW_LAST_ERROR);
    }

    /** The shared instance; the functions are looked up once per class loader. */
    public static Libc get() {
        Libc l = instance;
        if (l == null) {
            synchronized (Libc.class) {
                l = instance;
                if (l == null) {
                    l = new Libc();
                    instance = l;
                }
            }
        }
        return l;
    }

    public int socket(int domain, int type, int protocol) {
        try {
            return socket.invokeInt(new Object[] {domain, type, protocol});
        } catch (LastErrorException e) {
            throw failed("socket", e);
        }
    }

    public void bind(int fd, byte[] address) {
        try {
            bind.invokeInt(new Object[] {fd, address, address.length});
        } catch (LastErrorException e) {
            throw failed("bind", e);
        }
    }

    public void setsockopt(int fd, int level, int name, byte[] value) {
        try {
            setsockopt.invokeInt(new Object[] {fd, level, name, value, value.length});
        } catch (LastErrorException e) {
            throw failed("setsockopt(" + level + ", " + name + ")", e);
        }
    }

    /** {@code setsockopt} with a value in native memory (a struct holding pointers, e.g. a BPF program). */
    public void setsockopt(int fd, int level, int name, Pointer value, int length) {
        try {
            setsockopt.invokeInt(new Object[] {fd, level, name, value, length});
        } catch (LastErrorException e) {
            throw failed("setsockopt(" + level + ", " + name + ")", e);
        }
    }

    /** The socket's own address, at most {@code maxLength} bytes of it. */
    public byte[] getsockname(int fd, int maxLength) {
        byte[] address = new byte[maxLength];
        int[] length = {maxLength};
        try {
            getsockname.invokeInt(new Object[] {fd, address, length});
        } catch (LastErrorException e) {
            throw failed("getsockname", e);
        }
        return java.util.Arrays.copyOf(address, Math.min(length[0], maxLength));
    }

    public long sendto(int fd, byte[] message, int flags, byte[] address) {
        while (true) {
            try {
                NativeLong sent = (NativeLong) sendto.invoke(NativeLong.class,
                        new Object[] {fd, message, new NativeLong(message.length), flags, address, address.length});
                return sent.longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failed("sendto", e);
                }
            }
        }
    }

    /** Receives into native memory; returns the datagram length (larger than {@code length} with MSG_TRUNC). */
    public long recv(int fd, Pointer buffer, long length, int flags) {
        while (true) {
            try {
                NativeLong n = (NativeLong) recv.invoke(NativeLong.class,
                        new Object[] {fd, buffer, new NativeLong(length), flags});
                return n.longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failed("recv", e);
                }
            }
        }
    }

    /**
     * Receives one datagram into {@code buffer} and its sender's address into {@code address}
     * (whose first {@code addressLength[0]} bytes are then valid); returns its length.
     */
    public long recvfrom(int fd, byte[] buffer, int flags, byte[] address, int[] addressLength) {
        while (true) {
            try {
                addressLength[0] = address.length;
                NativeLong n = (NativeLong) recvfrom.invoke(NativeLong.class,
                        new Object[] {fd, buffer, new NativeLong(buffer.length), flags, address, addressLength});
                return n.longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failed("recvfrom", e);
                }
            }
        }
    }

    public void close(int fd) {
        try {
            close.invokeInt(new Object[] {fd});
        } catch (LastErrorException e) {
            // EINTR on close on Linux still releases the descriptor, so retrying could close a reused fd.
            if (e.getErrorCode() != Errno.EINTR) {
                throw failed("close", e);
            }
        }
    }

    /** {@code open(path, flags)} without a mode: for opening existing files such as netns handles. */
    public int open(String path, int flags) {
        try {
            return open.invokeInt(new Object[] {path, flags});
        } catch (LastErrorException e) {
            throw failed("open(" + path + ")", e);
        }
    }

    /** Moves the calling thread into the namespace behind {@code fd}. */
    public void setns(int fd, int nstype) {
        try {
            setns.invokeInt(new Object[] {fd, nstype});
        } catch (LastErrorException e) {
            throw failed("setns", e);
        }
    }

    /**
     * kill(2): sends {@code signal} to {@code pid} of this process's PID namespace. Unlike
     * {@link ProcessHandle#destroy()} it does not first look the pid up in {@code /proc}, which
     * may show another namespace.
     */
    public void kill(long pid, int signal) {
        try {
            kill.invokeInt(new Object[] {(int) pid, signal});
        } catch (LastErrorException e) {
            throw failed("kill(" + pid + ", " + signal + ")", e);
        }
    }

    private static NetworkException failed(String call, LastErrorException e) {
        int errno = e.getErrorCode();
        return new NetworkException(call + " failed: " + Errno.describe(errno), errno);
    }
}
