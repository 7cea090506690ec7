/** Entry point of the standalone discovery server ({@code bin/kubespan-discovery}). */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.discovery.server;
