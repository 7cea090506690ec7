package dev.kubespan.wireguard.internal.kernel;

import java.util.List;
import java.util.OptionalInt;

import dev.kubespan.net.netlink.GenlFamily;
import dev.kubespan.net.netlink.GenlFamilyResolver;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.net.netlink.NetlinkSocket;

/**
 * Generic netlink requests and family lookup on one socket ({@link NetlinkSocket} in production,
 * a scripted fake in unit tests). Errors are {@code NetworkException}s carrying the kernel's errno.
 */
interface GenlTransport extends AutoCloseable {

    /** The data replies of {@code request} (a dump's messages up to NLMSG_DONE). */
    List<NetlinkMessage> request(NetlinkRequest request);

    /** The family's id, or empty when the kernel does not know the family. */
    OptionalInt resolve(String family);

    @Override
    void close();

    static GenlTransport of(NetlinkSocket socket) {
        GenlFamilyResolver resolver = new GenlFamilyResolver(socket);
        return new GenlTransport() {
            @Override
            public List<NetlinkMessage> request(NetlinkRequest request) {
                return socket.request(request);
            }

            @Override
            public OptionalInt resolve(String family) {
                return resolver.resolve(family).map(GenlFamily::id).map(OptionalInt::of).orElse(OptionalInt.empty());
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }
}
