package dev.kubespan.net.netlink;

import java.util.ArrayList;
import java.util.List;

import dev.kubespan.api.net.NetworkException;

/**
 * Collects the replies to one request: data messages with the request's sequence number until
 * the ACK (NLMSG_ERROR 0) or, for a dump, until NLMSG_DONE. A negative error becomes a
 * {@link NetworkException} with the positive errno, its strerror text and the kernel's ext-ack
 * message. Messages with another sequence number (late replies to a request that timed out) are
 * ignored. Separate from the socket so recorded kernel replies can be fed to it in tests.
 */
public final class NetlinkReplies {
    private final NetlinkRequest request;
    private final int seq;
    private final List<NetlinkMessage> data = new ArrayList<>();
    private boolean complete;
    private boolean interrupted;

    public NetlinkReplies(NetlinkRequest request, int seq) {
        this.request = request;
        this.seq = seq;
    }

    /**
     * Takes one received message.
     *
     * @return true once the reply is complete
     * @throws NetworkException when the kernel reports an error
     */
    public boolean accept(NetlinkMessage m) {
        if (complete || m.seq() != seq) {
            return complete;
        }
        switch (m.type()) {
            case Netlink.NLMSG_NOOP:
                return false;
            case Netlink.NLMSG_ERROR:
            case Netlink.NLMSG_DONE:
                if (m.error() < 0) {
                    throw error(request.description(), m);
                }
                // An ACK ends a non-dump request; a dump's own end is NLMSG_DONE.
                complete = m.isDone() || !request.isDump() || m.isError();
                return complete;
            case Netlink.NLMSG_OVERRUN:
                throw new NetworkException(request.description() + ": netlink reply overrun", Errno.ENOBUFS);
            default:
                if ((m.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                data.add(m);
                return false;
        }
    }

    /** The data messages received so far, in order. */
    public List<NetlinkMessage> messages() {
        return List.copyOf(data);
    }

    public boolean isComplete() {
        return complete;
    }

    /** True when the kernel flagged the dump as inconsistent (changed while dumping); dump again. */
    public boolean isInterrupted() {
        return interrupted;
    }

    /** The exception for a negative NLMSG_ERROR / NLMSG_DONE. */
    public static NetworkException error(String description, NetlinkMessage m) {
        int errno = -m.error();
        String text = m.extendedAckMessage();
        String message = description + ": " + Errno.describe(errno) + (text.isEmpty() ? "" : ": " + text);
        return new NetworkException(message, errno);
    }
}
