/**
 * Classes generated from etcd's v3 API ({@code rpc.proto}, {@code kv.proto}, {@code auth.proto};
 * proto packages {@code etcdserverpb}, {@code mvccpb}, {@code authpb}): the KV, Watch, Lease,
 * Auth, Cluster and Maintenance services and their messages, for the discovery server's etcd
 * state backend.
 */
@org.osgi.annotation.versioning.Version("3.4.0")
package dev.kubespan.discovery.grpc.etcd;
