/**
 * Host networking as KubeSpan needs it: IP prefixes and endpoints as values, the host's links
 * and addresses, and routes and policy rules. Implemented over rtnetlink by the bundle
 * {@code dev.kubespan.net}.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.kubespan.api.net;
