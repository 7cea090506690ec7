package dev.kubespan.api.net;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import dev.kubespan.api.Watch;

/** Read access to the host's links and addresses (in the network namespace of the JVM). */
@ProviderType
public interface HostNetwork {

    List<LinkInfo> links();

    Optional<LinkInfo> link(String name);

    List<AddressInfo> addresses();

    /** Calls {@code listener} (on another thread) after links or addresses changed. */
    Watch onChange(Runnable listener);
}
