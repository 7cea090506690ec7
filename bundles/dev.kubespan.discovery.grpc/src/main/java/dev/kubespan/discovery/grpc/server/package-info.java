/** Classes generated from sidero/discovery/server/cluster.proto: the Cluster service and its messages. */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.kubespan.discovery.grpc.server;
