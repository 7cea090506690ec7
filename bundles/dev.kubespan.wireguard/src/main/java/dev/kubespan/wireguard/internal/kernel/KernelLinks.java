package dev.kubespan.wireguard.internal.kernel;

import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.wireguard.internal.rtnl.LinkOps;

/**
 * The rtnetlink link operations the kernel backend needs, in the network namespace the links
 * live in ({@link LinkOps} in production; a fake in unit tests).
 */
interface KernelLinks extends AutoCloseable {

    Optional<LinkInfo> find(String name);

    /** Creates the link; an existing link of that name is fine. */
    void create(String name, String kind);

    void setMtu(String name, int mtu);

    void setUp(String name, boolean up);

    /** Deletes the link; a missing link is fine. */
    void delete(String name);

    @Override
    void close();

    static KernelLinks of(LinkOps ops) {
        return new KernelLinks() {
            @Override
            public Optional<LinkInfo> find(String name) {
                return ops.find(name);
            }

            @Override
            public void create(String name, String kind) {
                ops.create(name, kind);
            }

            @Override
            public void setMtu(String name, int mtu) {
                ops.setMtu(name, mtu);
            }

            @Override
            public void setUp(String name, boolean up) {
                ops.setUp(name, up);
            }

            @Override
            public void delete(String name) {
                ops.delete(name);
            }

            @Override
            public void close() {
                ops.close();
            }
        };
    }
}
