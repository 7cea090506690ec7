/**
 * Immutable spec records of every resource type. Field names are the YAML keys of
 * {@code docs/kubespan-node.md} §2; list fields are never null.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.kubespan.api.spec;
