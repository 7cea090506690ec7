package dev.kubespan.api;

import org.osgi.annotation.versioning.ProviderType;

/** A registered watch; closing it stops delivery. Close it in the owner's deactivate. */
@ProviderType
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
