/** Classes generated from sidero/discovery/client/affiliate.proto: the encrypted payload messages. */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.discovery.grpc.client;
