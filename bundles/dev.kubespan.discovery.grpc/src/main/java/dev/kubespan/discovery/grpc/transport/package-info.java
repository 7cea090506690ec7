/** gRPC servers and channels on event loops and executors owned by the caller and closed synchronously. */
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.kubespan.discovery.grpc.transport;
