package dev.kubespan.discovery.server.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** ConfigAdmin PID {@value #PID}. Durations are in seconds. */
@ObjectClassDefinition(id = DiscoveryServerConfig.PID, name = "KubeSpan discovery server",
        description = "Self-hosted discovery service compatible with Talos nodes (gRPC sidero.discovery.server.Cluster).")
public @interface DiscoveryServerConfig {
    String PID = "dev.kubespan.discovery.server";

    @AttributeDefinition(description = "Run the discovery server.")
    boolean enabled() default true;

    @AttributeDefinition(description = "IP address the gRPC port binds to.")
    String listen_address() default "0.0.0.0";

    @AttributeDefinition(description = "gRPC port (TLS when tls.cert and tls.key are set, else h2c).", min = "0", max = "65535")
    int port() default 3000;

    @AttributeDefinition(description = "Prometheus metrics port (path /metrics); 0 turns metrics off.", min = "0", max = "65535")
    int metrics_port() default 2122;

    @AttributeDefinition(description = "IP address the metrics port binds to; empty: same as listen.address.")
    String metrics_address() default "";

    @AttributeDefinition(description = "Save and restore the state across restarts.")
    boolean snapshot_enabled() default true;

    @AttributeDefinition(description = "Snapshot file; empty: ${kubespan.home}/data/discovery/state.bin.")
    String snapshot_path() default "";

    @AttributeDefinition(description = "Seconds between periodic snapshots (one is also written on stop).", min = "1")
    long snapshot_interval() default 600;

    @AttributeDefinition(description = "Seconds between garbage collection runs (TTL expiry).", min = "1")
    long gc_interval() default 60;

    @AttributeDefinition(description = "TLS certificate chain, PEM file; empty: plaintext h2c.")
    String tls_cert() default "";

    @AttributeDefinition(description = "TLS private key, PEM (PKCS#8) file.")
    String tls_key() default "";

    @AttributeDefinition(description = "Seconds between checks of the TLS files for changes.", min = "1")
    long tls_reload_interval() default 60;

    @AttributeDefinition(description = "Take the client IP from X-Real-IP, then the first X-Forwarded-For entry "
            + "(only behind a trusted reverse proxy: clients can set these headers).")
    boolean trust_proxy_headers() default false;

    @AttributeDefinition(description = "host:port sent in every Hello to move clients to another server; empty: none.")
    String redirect_endpoint() default "";

    @AttributeDefinition(description = "Requests per second per client IP; 0 turns rate limiting off.", min = "0")
    double rate_limit() default 15;

    @AttributeDefinition(description = "Burst size of the per-client-IP token bucket.", min = "1")
    int rate_burst() default 60;

    // Limits against hostile or broken clients; 0 turns a cap off.

    @AttributeDefinition(description = "Comma-separated IPs or CIDRs of the reverse proxies whose X-Real-IP / "
            + "X-Forwarded-For are believed when trust.proxy.headers is set; empty: any peer.")
    String trusted_proxies() default "";

    @AttributeDefinition(description = "Seconds a new connection has to complete TLS and the HTTP/2 preface.", min = "1")
    long handshake_timeout() default 10;

    @AttributeDefinition(description = "Seconds without any call after which a connection is closed.", min = "1")
    long idle_timeout() default 60;

    @AttributeDefinition(description = "Seconds of silence after which the server pings a connection.", min = "1")
    long keepalive_time() default 120;

    @AttributeDefinition(description = "Seconds the server waits for a ping's answer before closing the connection.", min = "1")
    long keepalive_timeout() default 20;

    @AttributeDefinition(description = "Open connections in total; 0: no cap.", min = "0")
    int max_connections() default 10_000;

    @AttributeDefinition(description = "Open connections per client IP (TCP peer); 0: no cap.", min = "0")
    int max_connections_per_ip() default 100;

    @AttributeDefinition(description = "Concurrent calls per connection (HTTP/2 MAX_CONCURRENT_STREAMS); 0: no cap.", min = "0")
    int max_calls_per_connection() default 100;

    @AttributeDefinition(description = "Concurrent calls per client IP, waiting ones included; 0: no cap.", min = "0")
    int max_calls_per_ip() default 200;

    @AttributeDefinition(description = "Longest wait in seconds for a rate-limit token; a call that would wait longer is refused.", min = "0")
    long rate_max_wait() default 10;

    @AttributeDefinition(description = "Calls waiting for a rate-limit token at once, all clients together.", min = "0")
    int rate_max_waiting() default 1000;

    @AttributeDefinition(description = "Threads that run calls with the etcd backend (the in-memory backend runs them on the event loops).", min = "1")
    int call_threads() default 8;
    // --- state backend and server-wide caps ---

    @AttributeDefinition(description = "Where the state lives: memory (this process, with snapshots) or etcd (shared by replicas).",
            options = {@Option(label = "memory", value = "memory"), @Option(label = "etcd", value = "etcd")})
    String state() default "memory";

    @AttributeDefinition(description = "etcd client URLs, comma-separated (http://10.0.0.1:2379,...; https:// for TLS).")
    String etcd_endpoints() default "";

    @AttributeDefinition(description = "etcd key prefix of this deployment (replicas of one deployment share it).")
    String etcd_prefix() default "/kubespan-discovery/";

    @AttributeDefinition(description = "CA certificate (PEM) that signed the etcd server certificates; empty: the JDK trust store.")
    String etcd_ca() default "";

    @AttributeDefinition(description = "Client certificate (PEM) for etcd TLS client authentication.")
    String etcd_cert() default "";

    @AttributeDefinition(description = "Client key (PEM, PKCS#8) for etcd.cert.")
    String etcd_key() default "";

    @AttributeDefinition(description = "etcd user (etcd authentication); empty: none.")
    String etcd_user() default "";

    @AttributeDefinition(description = "File holding the etcd user's password.")
    String etcd_password_file() default "";

    @AttributeDefinition(description = "Seconds one etcd request may take, retries included.", min = "1")
    long etcd_timeout() default 5;

    @AttributeDefinition(description = "Clusters holding affiliates at most; more are refused with RESOURCE_EXHAUSTED.", min = "1")
    int max_clusters() default 1000;

    @AttributeDefinition(description = "Affiliates over all clusters at most; more are refused with RESOURCE_EXHAUSTED.", min = "1")
    int max_affiliates() default 10000;
}
