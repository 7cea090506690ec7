package dev.kubespan.wireguard.internal;

import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;

/**
 * The link operations the WireGuard backends need, in the network namespace the links live in.
 * Production: rtnetlink in the JVM's own namespace ({@link LinkOpsAccess}); tests drive a
 * namespace they created.
 */
public interface LinkAccess extends AutoCloseable {

    Optional<LinkInfo> find(String name);

    /** Creates a link of {@code kind} (e.g. {@code wireguard}); an existing link of that name is fine. */
    void create(String name, String kind);

    void setMtu(String name, int mtu);

    void setUp(String name, boolean up);

    /** No error when the link does not exist. */
    void delete(String name);

    /**
     * The identity of that network namespace as {@code readlink /proc/<pid>/ns/net} shows it
     * ({@code net:[4026531840]}), to check that a wireguard-go process runs in it.
     */
    String namespaceId();

    @Override
    void close();
}
