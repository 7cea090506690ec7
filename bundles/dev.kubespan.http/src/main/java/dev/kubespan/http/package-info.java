/**
 * The HTTP context KubeSpan's servlets share ({@link dev.kubespan.http.KubeSpanHttp}): requests
 * that arrive on a loopback address are served as they are; any other request needs HTTP Basic
 * credentials, and is refused outright when none are configured.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.http;
