package dev.kubespan.wireguard.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.net.netlink.LinkOps;

/** {@link LinkAccess} over rtnetlink ({@link LinkOps}), in the namespace its socket was opened in. */
public final class LinkOpsAccess implements LinkAccess {
    private final LinkOps ops;
    private final String namespaceId;

    /**
     * @param ops opened in the namespace the links live in; closed with this
     * @param namespaceId that namespace as {@code net:[inode]}
     */
    public LinkOpsAccess(LinkOps ops, String namespaceId) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.namespaceId = Objects.requireNonNull(namespaceId, "namespaceId");
    }

    /** Links in the JVM's own network namespace. */
    public static LinkOpsAccess ownNamespace() {
        String ns = namespaceOf(Path.of("/proc/self/ns/net"));
        return new LinkOpsAccess(LinkOps.open(), ns);
    }

    /** {@code net:[inode]} of a namespace file ({@code /proc/<pid>/ns/net} or a bind mount such as {@code /run/netns/x}). */
    public static String namespaceOf(Path nsFile) {
        try {
            if (Files.isSymbolicLink(nsFile)) {
                return Files.readSymbolicLink(nsFile).toString();
            }
            return "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot identify the network namespace of " + nsFile + ": " + e, e);
        }
    }

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
    public String namespaceId() {
        return namespaceId;
    }

    @Override
    public void close() {
        ops.close();
    }
}
