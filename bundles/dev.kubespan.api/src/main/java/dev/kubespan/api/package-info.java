/**
 * The resource model every KubeSpan bundle reads and writes: typed, versioned resources in a
 * {@link dev.kubespan.api.ResourceStore}, mirroring the Talos COSI resources.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.kubespan.api;
