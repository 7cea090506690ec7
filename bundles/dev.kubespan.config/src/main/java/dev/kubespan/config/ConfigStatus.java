package dev.kubespan.config;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Service of the config bundle: what happened to the last configuration it read, so that an
 * operator (the shell) or a test can see why an edit was rejected.
 */
@ProviderType
public interface ConfigStatus {

    /** The last load attempt, successful or not. Before the first attempt finishes, a not-ok result saying so. */
    LoadResult lastResult();

    /** The last load that was accepted and published, if any since this bundle started. */
    Optional<LoadResult> lastApplied();

    /** Re-reads the current source now (even if unchanged) and returns the result. */
    LoadResult reload();

    /** The file this bundle reads, also when the source is ConfigAdmin (then the file is not read). */
    String configFile();

    /** {@code file} or {@code configadmin}. */
    String sourceKind();
}
